/** The ranking of a round per pool (masked identities, points, result, amendments marked), for officers and the public notice. */
import { useRoundMessages } from "./messages";
import type { PoolTable } from "./present";


export function PoolTables({ pools }: { pools: PoolTable[] }) {
  const { m } = useRoundMessages();
  return (
    <>
      {pools.map((pool) => (
        <div key={pool.pool} className="pool-block" data-pool={pool.pool}>
          <h3>
            {pool.label} · {pool.places !== null ? `${m("places")} ${pool.places} · ` : ""}
            {m("admittedCount")} {pool.admitted} · {m("cutoff")} {pool.cutoff ?? "—"}
          </h3>
          <table className="grid compact">
            <thead>
              <tr>
                <th>{m("colRank")}</th>
                <th>{m("colRef")}</th>
                <th>{m("colApplicant")}</th>
                <th>{m("colIdNumber")}</th>
                <th>{m("colPoints")}</th>
                <th>{m("colVerdict")}</th>
              </tr>
            </thead>
            <tbody>
              {pool.rows.map((row) => (
                <tr key={row.ref} data-ref={row.ref} className={row.amended ? "amended" : undefined}>
                  <td>{row.rank ?? "—"}</td>
                  <td className="mono">{row.ref}</td>
                  <td>{row.name}</td>
                  <td className="mono">{row.idNumber}</td>
                  <td>
                    {row.points}
                    {row.amended ? <span className="amended-note"> {row.amended}</span> : null}
                  </td>
                  <td>{row.verdict}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {pool.more > 0 ? <p className="muted small">{m("moreRows", { count: pool.more })}</p> : null}
        </div>
      ))}
    </>
  );
}
