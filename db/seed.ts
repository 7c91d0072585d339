/**
 * Demo content for a new installation: one user per role and the example standards, so the first screen a new
 * user sees is a realistic workspace. Runs only on an empty database; never touches existing data.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import type { JifenDb } from "./connection";
import { users } from "./schema";
import { countStandards, createStandardWithVersion, createVersion } from "./standards";
import { countUsers, createUser, type Role } from "./users";

export const DEMO_PASSWORD = "jifen-demo";

export const DEMO_USERS: Array<{ username: string; displayName: string; roles: Role[] }> = [
  { username: "admin", displayName: "系统管理员 Administrator", roles: ["administrator"] },
  { username: "drafter", displayName: "起草人 Drafter", roles: ["drafter"] },
  { username: "reviewer", displayName: "审核人 Reviewer", roles: ["reviewer"] },
  { username: "publisher", displayName: "发布人 Publisher", roles: ["publisher"] },
];

export const EXAMPLES_FOLDER = join(dirname(fileURLToPath(import.meta.url)), "..", "rules-schema", "examples");

interface ExampleHead {
  id: string;
  version: string;
  status: string;
  title: { zh: string; en: string };
  jurisdiction: { code: string; name: { zh: string; en: string } };
  effectiveFrom?: string;
  effectiveTo?: string;
}

export interface SeedReport {
  users: number;
  standards: string[];
}

export async function seedIfEmpty(db: JifenDb, examplesFolder = EXAMPLES_FOLDER): Promise<SeedReport> {
  const report: SeedReport = { users: 0, standards: [] };
  if (countUsers(db) === 0) {
    for (const u of DEMO_USERS) {
      await createUser(db, { ...u, password: DEMO_PASSWORD });
      report.users += 1;
    }
  }
  if (countStandards(db) === 0) {
    const files = readdirSync(examplesFolder)
      .filter((f) => f.endsWith(".json"))
      .sort();
    // Versions of one standard share the document id; the earliest effective one creates the standard.
    const docs = files
      .map((file) => {
        const text = readFileSync(join(examplesFolder, file), "utf8");
        return { text, head: JSON.parse(text) as ExampleHead };
      })
      .sort((a, b) => (a.head.effectiveFrom ?? "9999").localeCompare(b.head.effectiveFrom ?? "9999"));
    const drafterId = db.select({ id: users.id }).from(users).where(eq(users.username, "drafter")).get()?.id ?? null;
    for (const { text, head } of docs) {
      const version = {
        versionLabel: head.version,
        status: head.status,
        draftedBy: head.status === "draft" ? drafterId : null,
        documentText: text,
        effectiveFrom: head.effectiveFrom ?? null,
        effectiveTo: head.effectiveTo ?? null,
      };
      if (report.standards.includes(head.id)) {
        createVersion(db, head.id, version);
        continue;
      }
      createStandardWithVersion(
        db,
        {
          id: head.id,
          jurisdiction: { code: head.jurisdiction.code, zh: head.jurisdiction.name.zh, en: head.jurisdiction.name.en },
          title: head.title,
        },
        version,
      );
      report.standards.push(head.id);
    }
  }
  return report;
}
