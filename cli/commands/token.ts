/**
 * `jifen token create --name N --department D --scopes evaluate,rank`, `jifen token list`, `jifen token revoke ID`:
 * department API tokens in the database named by DATABASE_URL (default ./data/jifen.sqlite; migrations are applied
 * first). `create` prints the token once; only its SHA-256 is stored.
 */
import type { Command } from "commander";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { createApiToken, getApiToken, isTokenScope, listApiTokens, revokeApiToken, TOKEN_SCOPES, type TokenScope } from "../../db/tokens";
import { detectLang, say } from "../locale";

const INVALID = 1;
const USAGE_ERROR = 2;

function withDatabase<T>(run: (db: JifenDb) => T): T {
  const db = openDatabase(process.env.DATABASE_URL);
  try {
    migrateDatabase(db);
    return run(db);
  } finally {
    db.$client.close();
  }
}

export function register(program: Command): void {
  const token = program.command("token").description("department API tokens: create, list, revoke / 部门 API 令牌：创建、列出、吊销");

  token
    .command("create")
    .description("create a token and print it once / 创建令牌（只显示一次）")
    .requiredOption("--name <name>", "what the token is for")
    .requiredOption("--department <department>", "the department that will use it")
    .requiredOption("--scopes <scopes>", `comma-separated scopes: ${TOKEN_SCOPES.join(", ")}`)
    .option("--json", "print { id, token, scopes } as JSON")
    .action((options: { name: string; department: string; scopes: string; json?: boolean }, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      const requested = options.scopes.split(",").map((s) => s.trim()).filter(Boolean);
      const unknown = requested.filter((s) => !isTokenScope(s));
      if (unknown.length > 0 || requested.length === 0) {
        process.stderr.write(
          say(lang, {
            zh: `未知权限：${unknown.join("、") || "（空）"}；可选：${TOKEN_SCOPES.join("、")}`,
            en: `Unknown scope(s): ${unknown.join(", ") || "(none given)"}; choose from: ${TOKEN_SCOPES.join(", ")}`,
          }) + "\n",
        );
        process.exitCode = USAGE_ERROR;
        return;
      }
      const created = withDatabase((db) =>
        createApiToken(db, { name: options.name, department: options.department, scopes: requested as TokenScope[] }),
      );
      if (options.json) {
        process.stdout.write(JSON.stringify({ id: created.record.id, token: created.token, scopes: created.record.scopes }) + "\n");
        return;
      }
      process.stderr.write(
        say(lang, {
          zh: `已为“${created.record.department}”创建令牌 #${created.record.id}（权限：${created.record.scopes.join("、")}）。请立即保存，之后无法再次查看：`,
          en: `Created token #${created.record.id} for ${created.record.department} (scopes: ${created.record.scopes.join(", ")}). Save it now; it cannot be shown again:`,
        }) + "\n",
      );
      process.stdout.write(created.token + "\n");
    });

  token
    .command("list")
    .description("list tokens (never their values) / 列出令牌")
    .option("--json", "print the list as JSON")
    .action((options: { json?: boolean }, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      const tokens = withDatabase((db) => listApiTokens(db));
      if (options.json) {
        process.stdout.write(JSON.stringify(tokens, null, 2) + "\n");
        return;
      }
      if (tokens.length === 0) {
        process.stdout.write(say(lang, { zh: "尚未发放令牌。", en: "No tokens issued yet." }) + "\n");
        return;
      }
      for (const t of tokens) {
        const state = t.revokedAt
          ? say(lang, { zh: `已吊销 ${t.revokedAt}`, en: `revoked ${t.revokedAt}` })
          : say(lang, { zh: "有效", en: "active" });
        process.stdout.write(`#${t.id}\t${t.name}\t${t.department}\t${t.scopes.join(",")}\t${state}\n`);
      }
    });

  token
    .command("revoke")
    .description("revoke a token at once / 立即吊销令牌")
    .argument("<id>", "token number as shown by `token list`")
    .action((rawId: string, _options: unknown, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      const id = Number(rawId);
      if (!Number.isInteger(id) || id <= 0) {
        process.stderr.write(say(lang, { zh: `令牌编号应为正整数：${rawId}`, en: `The token id must be a positive whole number: ${rawId}` }) + "\n");
        process.exitCode = USAGE_ERROR;
        return;
      }
      const outcome = withDatabase((db) => (revokeApiToken(db, id) ? "revoked" : getApiToken(db, id) ? "alreadyRevoked" : "unknown"));
      if (outcome === "unknown") {
        process.stderr.write(say(lang, { zh: `没有编号为 ${id} 的令牌，未吊销任何令牌。`, en: `There is no token ${id}; nothing was revoked.` }) + "\n");
        process.exitCode = INVALID;
        return;
      }
      if (outcome === "alreadyRevoked") {
        process.stderr.write(say(lang, { zh: `令牌 #${id} 此前已吊销，无需再次吊销。`, en: `Token #${id} was already revoked.` }) + "\n");
        process.exitCode = INVALID;
        return;
      }
      process.stdout.write(say(lang, { zh: `令牌 #${id} 已吊销。`, en: `Token #${id} revoked.` }) + "\n");
    });
}
