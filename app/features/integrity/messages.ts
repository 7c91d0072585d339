import { defineMessages } from "~/i18n";

export const { useMessages, translateIn } = defineMessages({
  title: { zh: "记录完整性核验", en: "Integrity of the records" },
  intro: {
    zh: "操作记录和计分决定记录是哈希链：每条记录都保存自身内容与前一条记录的哈希，写入后的任何改写、删除或插入都会使链在该处断开。已发布版本的文档与发布时操作记录中记下的内容哈希相比对。请定期把各链的链头另行记录（例如打印存档），日后比对即可发现整段重写。命令行 npx jifen audit verify 做同样的核验。",
    en: "The audit trail and the logged decisions are hash chains: each entry stores the hash of its own content and of the entry before it, so any entry rewritten, removed or inserted after it was written breaks the chain at that entry. Published versions' documents are compared with the content hash the audit trail recorded at publication. Record each chain's head elsewhere from time to time (print it, for example): comparing it later also reveals a rewritten tail. The command npx jifen audit verify does the same check.",
  },
  intact: { zh: "完整：未发现记录在写入后被改动。", en: "Intact: no record was changed after it was written." },
  broken: { zh: "发现改动：下列记录在写入后被改动过。", en: "Changed: the records below were changed after they were written." },
  notChained: {
    zh: "此数据库的记录尚无哈希链（迁移未完成），无法核验。",
    en: "This database's records are not hash-chained yet (the migration has not run), so they cannot be verified.",
  },
  checkedAt: { zh: "核验时间：{at}", en: "Checked at {at}" },
  colRecords: { zh: "记录", en: "Records" },
  colRows: { zh: "条数", en: "Entries" },
  colHead: { zh: "链头（最后一条的哈希）", en: "Head (hash of the last entry)" },
  colState: { zh: "状态", en: "State" },
  stateIntact: { zh: "完整", en: "Intact" },
  documents: { zh: "已发布版本的文档", en: "Published versions' documents" },
  documentsIntact: { zh: "均与发布时记下的内容哈希一致", en: "Each has the content hash recorded when it was published" },
  failed: { zh: "核验未能完成：{reason}", en: "The check could not be completed: {reason}" },
  checkAgain: { zh: "重新核验", en: "Check again" },
  forbidden: { zh: "只有系统管理员可以查看记录完整性。", en: "Only administrators can see the integrity of the records." },
});
