/**
 * Verifies the tamper evidence of a database (`jifen audit verify`, the administrator's integrity screen): each hash
 * chain row by row (its hash recomputed from its content, its link to the row before, a decision's input against its
 * input hash), and every published version's document against the content hash the audit trail recorded when it
 * was published. Reads only. See docs/decisions/017-tamper-evident-logs.md.
 */
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { auditFields, batchFields, chainRowHash, CHAIN_TABLES, decisionFields, GENESIS_HASH, type AuditFields, type BatchFields, type ChainTable, type DecisionFields } from "./chain";
import { contentHash } from "./hash";

export interface Text {
  zh: string;
  en: string;
}

export type ChainProblem = "noHash" | "content" | "link" | "input";
export type DocumentProblem = "notJson" | "storedHash" | "publishedHash" | "noPublishEntry";

export interface ChainBreak {
  table: ChainTable;
  id: number;
  problem: ChainProblem;
  message: Text;
}

export interface DocumentBreak {
  versionId: number;
  standardId: string;
  versionLabel: string;
  problem: DocumentProblem;
  message: Text;
}

export interface ChainState {
  table: ChainTable;
  name: Text;
  rows: number;
  /** The last row's row_hash (GENESIS_HASH for an empty chain): record it elsewhere to detect a rewritten tail. */
  head: string;
  intact: boolean;
  firstBreak: ChainBreak | null;
}

export interface IntegrityReport {
  checkedAt: string;
  intact: boolean;
  /** False for a database whose logs were never chained (written before migration 0006 and not migrated since). */
  chained: boolean;
  chains: ChainState[];
  documents: { checked: number; intact: boolean; firstBreak: DocumentBreak | null };
}

export const CHAIN_NAMES: Record<ChainTable, Text> = {
  audit_log: { zh: "操作记录", en: "Audit trail" },
  decision_log: { zh: "计分决定记录（单个申请人）", en: "Logged decisions (single applicants)" },
  decision_batches: { zh: "计分决定记录（批量）", en: "Logged decisions (batches)" },
};

const ENTRY: Record<ChainTable, Text> = {
  audit_log: { zh: "操作记录", en: "audit entry" },
  decision_log: { zh: "计分决定", en: "decision" },
  decision_batches: { zh: "批量计分记录", en: "batch" },
};

const ROWS: Record<ChainTable, string> = {
  audit_log: `select id, at, actor_id as actorId, action, entity_type as entityType, entity_id as entityId, standard_id as standardId,
                hash_before as hashBefore, hash_after as hashAfter, details, prev_hash as prevHash, row_hash as rowHash
              from audit_log order by id`,
  decision_log: `select id, at, token_id as tokenId, standard_id as standardId, version_id as versionId, version_hash as versionHash,
                   program_id as programId, evaluation_date as evaluationDate, input_hash as inputHash,
                   cast(input as blob) as input, cast(output as blob) as output, prev_hash as prevHash, row_hash as rowHash
                 from decision_log order by id`,
  decision_batches: `select id, at, token_id as tokenId, standard_id as standardId, version_id as versionId, version_hash as versionHash,
                       program_id as programId, evaluation_date as evaluationDate, first_decision_id as firstDecisionId,
                       applicant_count as applicantCount, input_hash as inputHash, cast(input as blob) as input,
                       cast(output as blob) as output, prev_hash as prevHash, row_hash as rowHash
                     from decision_batches order by id`,
};

interface ChainRow {
  id: number;
  prevHash: string | null;
  rowHash: string | null;
  inputHash?: string;
  input?: Uint8Array | null;
  output?: Uint8Array | null;
  [column: string]: unknown;
}

function chainBreak(table: ChainTable, id: number, problem: ChainProblem, previousId: number | null): ChainBreak {
  const entry = ENTRY[table];
  const before = previousId === null ? { zh: "链的起点", en: "the start of the chain" } : { zh: `前一条（编号 ${previousId}）`, en: `the one before it (no. ${previousId})` };
  const what: Record<ChainProblem, Text> = {
    noHash: { zh: "没有哈希：它不是由本系统写入的", en: "it carries no hash: it was not written by this system" },
    content: { zh: "内容与写入时记下的哈希不符：写入后被改写过", en: "its content no longer matches the hash written with it: it was rewritten after it was written" },
    link: {
      zh: `与${before.zh}的链接断开：其间有记录被删除、插入或改写过`,
      en: `its link to ${before.en} is broken: an entry between them was removed, inserted or rewritten`,
    },
    input: { zh: "申请人输入与记下的输入哈希不符：输入被改写过", en: "its applicant input no longer matches its input hash: the input was rewritten" },
  };
  return {
    table,
    id,
    problem,
    message: {
      zh: `${CHAIN_NAMES[table].zh}第一处损坏：${entry.zh} 编号 ${id}，${what[problem].zh}。`,
      en: `${CHAIN_NAMES[table].en}, first break: ${entry.en} no. ${id}: ${what[problem].en}.`,
    },
  };
}

function fieldsOf(table: ChainTable, row: ChainRow): unknown[] {
  if (table === "audit_log") return auditFields(row as unknown as AuditFields);
  if (table === "decision_log") return decisionFields(row as unknown as DecisionFields);
  return batchFields(row as unknown as BatchFields);
}

function verifyChain(sqlite: Database.Database, table: ChainTable): ChainState {
  let rows = 0;
  let head = GENESIS_HASH;
  let previousId: number | null = null;
  let firstBreak: ChainBreak | null = null;
  for (const row of sqlite.prepare(ROWS[table]).iterate() as IterableIterator<ChainRow>) {
    rows++;
    if (!firstBreak) {
      if (typeof row.rowHash !== "string" || typeof row.prevHash !== "string") {
        firstBreak = chainBreak(table, row.id, "noHash", previousId);
      } else if (chainRowHash(table, row.prevHash, fieldsOf(table, row), table === "audit_log" ? undefined : (row.output ?? new Uint8Array())) !== row.rowHash) {
        firstBreak = chainBreak(table, row.id, "content", previousId);
      } else if (row.prevHash !== head) {
        firstBreak = chainBreak(table, row.id, "link", previousId);
      } else if (table !== "audit_log" && createHash("sha256").update(row.input ?? new Uint8Array()).digest("hex") !== row.inputHash) {
        firstBreak = chainBreak(table, row.id, "input", previousId);
      }
    }
    head = row.rowHash ?? "";
    previousId = row.id;
  }
  return { table, name: CHAIN_NAMES[table], rows, head: rows === 0 ? GENESIS_HASH : head, intact: firstBreak === null, firstBreak };
}

interface PublishedVersion {
  id: number;
  standardId: string;
  versionLabel: string;
  status: string;
  document: string;
  contentHash: string;
  publishedHash: string | null;
}

const STATUS: Record<string, Text> = {
  published: { zh: "已发布", en: "published" },
  superseded: { zh: "已被替代", en: "superseded" },
  withdrawn: { zh: "已撤回", en: "withdrawn" },
};

function documentBreak(v: PublishedVersion, problem: DocumentProblem): DocumentBreak {
  const status = STATUS[v.status] ?? { zh: v.status, en: v.status };
  const what: Record<DocumentProblem, Text> = {
    notJson: { zh: "存储的文档已不是有效的 JSON：发布后被改写过", en: "its stored document is no longer valid JSON: it was rewritten after publication" },
    storedHash: {
      zh: "存储的文档与其内容哈希不符：发布后被改写过",
      en: "its stored document no longer matches its content hash: it was rewritten after publication",
    },
    publishedHash: {
      zh: "文档的内容哈希与发布时操作记录中记下的不符：发布后被改写过",
      en: "its document no longer has the content hash the audit trail recorded when it was published: it was rewritten after publication",
    },
    noPublishEntry: { zh: "操作记录中没有它的发布记录", en: "the audit trail has no entry of its publication" },
  };
  return {
    versionId: v.id,
    standardId: v.standardId,
    versionLabel: v.versionLabel,
    problem,
    message: {
      zh: `计分标准“${v.standardId}”的版本“${v.versionLabel}”（${status.zh}）：${what[problem].zh}。`,
      en: `Version "${v.versionLabel}" of standard "${v.standardId}" (${status.en}): ${what[problem].en}.`,
    },
  };
}

function verifyDocuments(sqlite: Database.Database): IntegrityReport["documents"] {
  // The entry that put the version into force: its publication, or its creation as published (the seed does so).
  const versions = sqlite
    .prepare(
      `select v.id, v.standard_id as standardId, v.version_label as versionLabel, v.status, v.document, v.content_hash as contentHash,
              (select a.hash_after from audit_log a
                where a.entity_type = 'version' and a.entity_id = cast(v.id as text)
                  and (a.action = 'version.publish'
                       or (a.action = 'version.create' and json_valid(a.details)
                           and json_extract(a.details, '$.status') in ('published', 'superseded', 'withdrawn')))
                order by a.id limit 1) as publishedHash
       from standard_versions v where v.status in ('published', 'superseded', 'withdrawn') order by v.id`,
    )
    .all() as PublishedVersion[];
  let firstBreak: DocumentBreak | null = null;
  for (const v of versions) {
    let hash: string | null = null;
    try {
      hash = contentHash(JSON.parse(v.document));
    } catch {
      firstBreak = documentBreak(v, "notJson");
      break;
    }
    if (v.publishedHash === null) firstBreak = documentBreak(v, "noPublishEntry");
    else if (hash !== v.publishedHash) firstBreak = documentBreak(v, "publishedHash");
    else if (hash !== v.contentHash) firstBreak = documentBreak(v, "storedHash");
    if (firstBreak) break;
  }
  return { checked: versions.length, intact: firstBreak === null, firstBreak };
}

function isChained(sqlite: Database.Database): boolean {
  return CHAIN_TABLES.every(
    (table) => (sqlite.prepare(`select count(*) as n from pragma_table_info('${table}') where name in ('prev_hash', 'row_hash')`).get() as { n: number }).n === 2,
  );
}

/** Checks every chain and every published document; the report names the first broken row of each. */
export function verifyIntegrity(sqlite: Database.Database): IntegrityReport {
  const checkedAt = new Date().toISOString();
  if (!isChained(sqlite)) {
    return { checkedAt, intact: false, chained: false, chains: [], documents: { checked: 0, intact: false, firstBreak: null } };
  }
  // One read transaction: the chains and documents as of one moment, while the server may go on writing.
  return sqlite.transaction(() => {
    const chains = CHAIN_TABLES.map((table) => verifyChain(sqlite, table));
    const documents = verifyDocuments(sqlite);
    return { checkedAt, intact: chains.every((c) => c.intact) && documents.intact, chained: true, chains, documents };
  })();
}
