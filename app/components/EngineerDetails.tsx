/**
 * Ids and checksums an engineer needs (a standard's code for the API and the CLI, a version's content hash to match a
 * decision's `versionHash`), folded away so that the officer's view reads in words (issue 21).
 */
import { defineMessages } from "~/i18n";

const { useMessages } = defineMessages({
  summary: { zh: "技术信息（供技术人员）", en: "Technical details (for engineers)" },
  code: { zh: "标准编号（接口与命令行使用）", en: "Standard code (used by the API and the command line)" },
  versionId: { zh: "版本序号", en: "Version id" },
  hash: { zh: "内容校验值（SHA-256）", en: "Content hash (SHA-256)" },
});

export function EngineerDetails({ standardId, versionId, contentHash }: { standardId: string; versionId?: number; contentHash?: string }) {
  const { m } = useMessages();
  return (
    <details className="engineer-details" data-testid="engineer-details">
      <summary>{m("summary")}</summary>
      <dl>
        <dt>{m("code")}</dt>
        <dd className="mono" data-testid="standard-code">
          {standardId}
        </dd>
        {versionId !== undefined ? (
          <>
            <dt>{m("versionId")}</dt>
            <dd className="mono">{versionId}</dd>
          </>
        ) : null}
        {contentHash ? (
          <>
            <dt>{m("hash")}</dt>
            <dd className="mono" data-testid="content-hash">
              {contentHash}
            </dd>
          </>
        ) : null}
      </dl>
    </details>
  );
}
