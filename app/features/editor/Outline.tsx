import { useEffect, useMemo, useRef } from "react";
import { pick } from "../../i18n";
import { editorMessages } from "./messages";
import { problemsByEntry, type OutlineEntry } from "./outline";

interface Props {
  outline: OutlineEntry[];
  /** Pointer of the entry under the editor's cursor. */
  current?: string;
  problems: Array<{ path?: string; severity: string }>;
  onReveal(pointer: string): void;
}

/** The document as the officer reads it, beside the editor: click to go there; the entry under the cursor is marked. */
export function Outline({ outline, current, problems, onReveal }: Props) {
  const { m, lang } = editorMessages.useMessages();
  const counts = useMemo(() => problemsByEntry(outline, problems), [outline, problems]);
  const listRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!current || !listRef.current) return;
    const element = listRef.current.querySelector<HTMLElement>(`[data-pointer="${CSS.escape(current)}"]`);
    if (!element) return;
    const panel = listRef.current;
    const top = element.offsetTop - panel.offsetTop;
    if (top < panel.scrollTop || top > panel.scrollTop + panel.clientHeight - element.offsetHeight) panel.scrollTop = Math.max(0, top - panel.clientHeight / 3);
  }, [current]);

  const renderEntry = (entry: OutlineEntry) => {
    const count = counts.get(entry.pointer);
    const title = entry.kind === "uncategorized" ? m("uncategorized") : entry.label ? pick(lang, entry.label) : entry.id ?? m("unlabeled");
    return (
      <li key={`${entry.kind}:${entry.pointer}`} className={`outline-${entry.kind}`}>
        <button
          type="button"
          className={`outline-entry${entry.pointer === current ? " current" : ""}${count?.errors ? " has-errors" : count?.warnings ? " has-warnings" : ""}`}
          data-pointer={entry.pointer}
          data-id={entry.id}
          aria-current={entry.pointer === current ? "true" : undefined}
          onClick={() => onReveal(entry.pointer)}
        >
          <span className="outline-label">{title}</span>
          {entry.points ? <span className="outline-points">{entry.points}</span> : null}
          {count ? (
            <span className="outline-problems" title={m("problemBadge", { errors: count.errors, warnings: count.warnings })} data-testid="outline-problems">
              {count.errors + count.warnings}
            </span>
          ) : null}
        </button>
        {entry.children.length > 0 ? <ul>{entry.children.map(renderEntry)}</ul> : null}
      </li>
    );
  };

  return (
    <nav className="outline" aria-label={m("outlineTitle")} data-testid="outline" ref={listRef}>
      <h2>{m("outlineTitle")}</h2>
      <p className="muted small">{m("outlineHint")}</p>
      {outline.map((section) => (
        <section key={section.pointer} data-section={section.section}>
          <h3>
            <button type="button" className="outline-entry outline-section-title" data-pointer={section.pointer} onClick={() => onReveal(section.pointer)}>
              {m(`section_${section.section ?? "categories"}`)} <span className="muted">({countLeaves(section)})</span>
            </button>
          </h3>
          {section.children.length === 0 ? <p className="muted small">{m("noEntries")}</p> : <ul>{section.children.map(renderEntry)}</ul>}
        </section>
      ))}
    </nav>
  );
}

function countLeaves(section: OutlineEntry): number {
  if (section.section === "categories") return section.children.reduce((sum, category) => sum + category.children.length, 0);
  return section.children.length;
}
