/**
 * The OpenAPI 3.1 description of the department API, served at /api/v1/openapi.json. The tests validate real
 * responses against these schemas (ajv 2020-12), so the document cannot drift from what the server sends.
 */
const bilingual = {
  type: "object",
  required: ["zh", "en"],
  properties: { zh: { type: "string" }, en: { type: "string" } },
} as const;

const isoDate = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "A day of the calendar, YYYY-MM-DD (2019-02-30 is refused with 422 api.badDate)." } as const;
const sha256Hex = { type: "string", pattern: "^[0-9a-f]{64}$" } as const;

const versionFields = {
  standardId: { type: "string" },
  versionId: { type: "integer" },
  versionLabel: { type: "string" },
  versionHash: { ...sha256Hex, description: "SHA-256 of the canonical JSON of the version's document." },
} as const;

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } },
});

const commonErrors = {
  "400": errorResponse("The body is not valid JSON (`api.jsonSyntax`, line and column given), or the URL has a malformed %-escape (`api.badUrl`)."),
  "401": errorResponse("No token, an unknown token or a revoked token."),
  "403": errorResponse("The token lacks the scope this endpoint needs."),
  "404": errorResponse(
    "Unknown standard, program, decision or batch, or no version in effect on the date. A decision or batch made under another department's token answers exactly as a missing one.",
  ),
  "413": errorResponse("The body is over the size limit (1 MB single, 50 MB batch)."),
  "422": errorResponse(
    "The body is JSON but wrong: missing fields, wrong fact types, unknown facts, a date that is not a day of the calendar (`api.badDate`, e.g. 2019-02-30, in `date` or a date fact), a number fact beyond its bounds or a trillion, JSON nested more than 64 levels (`api.tooDeep`, with line and column); each problem's `path` points at its place (e.g. /date, /facts/{id}, /applicants/{i}/facts/{id}, /columns/{j}, /rows/{i}/{j}).",
  ),
  "429": errorResponse("Rate limit reached; see the Retry-After header."),
  "503": errorResponse(
    "Nothing was logged; retry after the Retry-After header. `api.versionChanging`: the version in effect changed at each attempt to log the evaluation (publications in quick succession). `api.databaseBusy`: the database stayed locked by another writer for the whole wait (5 s).",
  ),
};

/** The fields both forms of a batch answer begin with. */
const batchAnswerHead = {
  ...versionFields,
  program: { type: "string" },
  date: isoDate,
  batchId: { type: "integer", description: "The logged batch (GET /api/v1/decision-batches/{batchId})." },
};

const standardIdParam = { name: "standardId", in: "path", required: true, schema: { type: "string" }, example: "suzhou" };
const decisionIdParam = { name: "decisionId", in: "path", required: true, schema: { type: "integer" } };
const batchIdParam = { name: "batchId", in: "path", required: true, schema: { type: "integer" } };
const batchReference = {
  type: "object",
  description: "Present when the decision is an applicant of a logged batch.",
  required: ["batchId", "index", "applicantId"],
  additionalProperties: false,
  properties: {
    batchId: { type: "integer" },
    index: { type: "integer", minimum: 0, description: "Position of the applicant in the batch: in its `applicants` (object form) or its `rows` (table form)." },
    applicantId: { type: "string" },
  },
} as const;
const bearer = [{ bearerAuth: [] }];

/** The table form of a cohort's applicants (batch and rank): one column name per cell, one row per applicant. */
const tableColumns = {
  type: "array",
  minItems: 1,
  uniqueItems: true,
  items: { type: "string" },
  description:
    'Names each cell of a row: "id" (the applicant id, required) and fact ids of the version\'s fact dictionary, in any order; a fact left out of the columns is not given for anyone. Not a derived fact, and no column twice. 每行单元格的名称："id"（申请人编号，必需）与此版本事实字典中的事实编号，顺序不限。',
  examples: [["id", "birthDate", "educationLevel", "socialInsuranceMonths"]],
} as const;
const tableRows = {
  type: "array",
  minItems: 1,
  items: {
    type: "array",
    description: "One cell per column, in the order of `columns`. A `null` cell is a fact not given (the same as leaving the key out of the object form's `facts`). 单元格为 null 表示未提供该事实。",
    items: true,
  },
  description: "One row per applicant.",
  examples: [[["A1", "1985-03-02", "bachelor", 36], ["A2", "1990-11-20", null, 12]]],
} as const;
const tableFormProblems =
  "Problems are located in the table: `api.required` at /columns or /rows (missing or empty) and at /columns with params.property \"id\" when there is no \"id\" column; `api.columnName` (not text), `api.duplicateColumn`, `api.unknownFact` (params.suggestion for a near miss) and `api.derivedFact` at /columns/{j}; `api.rowShape` at /rows/{i} (not a list, or not one cell per column; params.expected, params.cells); `api.required` at /rows/{i}/{idColumn} for a missing id; `api.factType` at /rows/{i}/{j} (params.fact) for a cell that does not fit its fact, or deeper for a record field. Giving both `applicants` and `columns`/`rows` is `api.twoApplicantForms` at /applicants.";

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Jifen department API / 积分标准部门接口",
    version: "1.1.0",
    description:
      "Evaluate applicants against the version of a points standard in effect on a date, rank cohorts with quotas, and replay logged decisions for appeals (复核). Authenticate with `Authorization: Bearer <token>`; tokens are issued per department by administrators with scopes evaluate, rank and read. Department isolation: a token reads and replays only the decisions and batches made under a token of its own department (any of them, revoked ones included); another department's answer 404 exactly as a missing id, so their existence is not revealed. 部门隔离：令牌只能查看和重算本部门令牌作出的决定，其他部门的决定按不存在处理（404）。 Errors are `{errors: [{code, path, message: {zh, en}, params}]}` with `path` a JSON pointer into the request body. No score without eligibility (1.1, decision 047): an applicant who fails a gate (准入条件) or is vetoed (一票否决) has `total: null` in every answer (single, batch in both forms, rank) and a `verdict` saying why; the points the engine counted for such an applicant are given only in the explained sheet (`?explain=true`, `sheet.total`), never as a total. 不符合准入条件或被一票否决者不计分：总分为 null，verdict 说明原因。 Decisions logged before 1.1 are shown and replayed in the form they were logged in (a number as total, no verdict).",
  },
  servers: [{ url: "/" }],
  security: bearer,
  paths: {
    "/api/v1/openapi.json": {
      get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } } } },
    },
    "/api/v1/standards/{standardId}": {
      get: {
        summary: "The version in effect on a date and its fact dictionary (scope read)",
        parameters: [standardIdParam, { name: "date", in: "query", required: false, schema: isoDate, description: "Default: today (China time)." }],
        responses: {
          "200": { description: "Version in effect", content: { "application/json": { schema: { $ref: "#/components/schemas/StandardInEffect" } } } },
          ...commonErrors,
        },
      },
    },
    "/api/v1/standards/{standardId}/evaluate": {
      post: {
        summary: "Score one applicant with the version in effect on the date (scope evaluate)",
        parameters: [
          standardIdParam,
          { name: "explain", in: "query", required: false, schema: { type: "boolean" }, description: "true: also return the full explained score sheet (reference path; its `total` is the points counted, also for an applicant who has no score), its explanation in both languages (no total where there is no score) and the verdict. Default false." },
        ],
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/EvaluateRequest" } } } },
        responses: {
          "200": { description: "Score and decision id", content: { "application/json": { schema: { $ref: "#/components/schemas/EvaluateResponse" } } } },
          ...commonErrors,
        },
      },
    },
    "/api/v1/standards/{standardId}/evaluate/batch": {
      post: {
        summary: "Score many applicants (compiled path; scope evaluate)",
        description:
          "Two forms, answered in kind: the object form (`applicants: [{id, facts}]`, answered with `results`) and the table form (`columns` + `rows`, one row of cells per applicant, answered with `columns` + `rows` and `firstDecisionId`; about a quarter of the bytes). 两种形式：对象形式 applicants，或表格形式 columns 与 rows（按同一形式作答）。 The batch is logged once (its body as received, with its SHA-256, and the compact results) before the answer is sent. Applicant i is decision `decisionId` = the batch's first decision id + i; GET /api/v1/decisions/{decisionId} shows it with its own canonical input and input hash, derived from the logged body (a table-form applicant as the single evaluation of its facts would log it, null cells left out), and both replays work for either form. " +
          tableFormProblems,
        parameters: [
          standardIdParam,
          {
            name: "inputHashes",
            in: "query",
            required: false,
            schema: { type: "boolean" },
            description: "true: also return each applicant's `inputHash` (SHA-256 of the canonical JSON of {facts, program, date}, as a single evaluation returns it; in the table form, an \"inputHash\" column after \"decisionId\"). Default false: it roughly doubles the cost of a batch, and every applicant's input hash can be had later from its decision.",
          },
        ],
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/BatchRequest" } } } },
        responses: {
          "200": { description: "Compact score per applicant, in the request's form", content: { "application/json": { schema: { $ref: "#/components/schemas/BatchResponse" } } } },
          ...commonErrors,
        },
      },
    },
    "/api/v1/standards/{standardId}/rank": {
      post: {
        summary: "Score a cohort and allocate places per pool (scope rank)",
        description:
          "The applicants come in the object form (`applicants`) or the table form (`columns` + `rows`), as for a batch; ids must be unique (`api.duplicateApplicant` at /applicants/{i}/id, or /rows/{i}/{idColumn} in the table form). " +
          tableFormProblems,
        parameters: [standardIdParam],
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/RankRequest" } } } },
        responses: {
          "200": { description: "Allocation", content: { "application/json": { schema: { $ref: "#/components/schemas/RankResponse" } } } },
          ...commonErrors,
        },
      },
    },
    "/api/v1/decisions/{decisionId}": {
      get: {
        summary: "A logged decision (scope read)",
        description: "Only decisions made under a token of the caller's department (single evaluations, rankings, and applicants of its batches); another department's answers 404 exactly as a missing one (部门隔离).",
        parameters: [decisionIdParam],
        responses: {
          "200": { description: "Decision", content: { "application/json": { schema: { $ref: "#/components/schemas/Decision" } } } },
          ...commonErrors,
        },
      },
    },
    "/api/v1/decisions/{decisionId}/replay": {
      post: {
        summary: "Recompute a decision with its stored version and input (appeal / 复核; scope read)",
        description: "Only decisions made under a token of the caller's department (single evaluations, rankings, and applicants of its batches); another department's answers 404 exactly as a missing one (部门隔离).",
        parameters: [decisionIdParam],
        responses: {
          "200": { description: "Replay outcome", content: { "application/json": { schema: { $ref: "#/components/schemas/ReplayResponse" } } } },
          ...commonErrors,
        },
      },
    },
    "/api/v1/decision-batches/{batchId}": {
      get: {
        summary: "A logged batch: version, body hash and its block of decision ids (scope read)",
        description: "Only batches made under a token of the caller's department; another department's batch answers 404 exactly as a missing one (部门隔离).",
        parameters: [batchIdParam],
        responses: {
          "200": { description: "Decision batch", content: { "application/json": { schema: { $ref: "#/components/schemas/DecisionBatch" } } } },
          ...commonErrors,
        },
      },
    },
    "/api/v1/decision-batches/{batchId}/replay": {
      post: {
        summary: "Recompute every applicant of a logged batch with its stored version and body (scope read)",
        description: "Only batches made under a token of the caller's department; another department's batch answers 404 exactly as a missing one (部门隔离).",
        parameters: [batchIdParam],
        responses: {
          "200": { description: "Replay outcome", content: { "application/json": { schema: { $ref: "#/components/schemas/BatchReplayResponse" } } } },
          ...commonErrors,
        },
      },
    },
  },
  components: {
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "A department token (jifen_…) issued by an administrator." } },
    schemas: {
      Problem: {
        type: "object",
        required: ["code", "path", "message", "params"],
        properties: {
          code: { type: "string", examples: ["api.factType"] },
          path: { type: "string", description: "JSON pointer into the request body; empty = the whole body." },
          message: bilingual,
          params: { type: "object" },
          line: { type: "integer", minimum: 1 },
          column: { type: "integer", minimum: 1 },
        },
      },
      ErrorBody: {
        type: "object",
        required: ["errors"],
        properties: { errors: { type: "array", minItems: 1, items: { $ref: "#/components/schemas/Problem" } } },
      },
      Facts: { type: "object", description: "Fact id → value, typed as the version's fact dictionary says.", additionalProperties: true },
      EvaluateRequest: {
        type: "object",
        required: ["program", "date"],
        properties: { program: { type: "string", examples: ["settlement"] }, date: isoDate, facts: { $ref: "#/components/schemas/Facts" } },
      },
      ScoreSummary: {
        type: "object",
        description: "One applicant's score by item and category id. 按项目与类别编号给出的分数。",
        required: ["eligible", "vetoed", "failedGates", "total", "verdict", "categories", "items"],
        additionalProperties: false,
        properties: {
          eligible: { type: "boolean" },
          vetoed: { type: "boolean" },
          failedGates: { type: "array", items: { type: "string" } },
          total: { type: ["number", "null"], description: "The total; null when the applicant fails a gate or is vetoed: there is no score (decision 047). 无分数时为 null。" },
          verdict: { $ref: "#/components/schemas/Verdict" },
          categories: { type: "object", additionalProperties: { type: "number" } },
          items: { type: "object", additionalProperties: { type: "number" } },
        },
      },
      LoggedScoreSummary: {
        description:
          "A score as it was logged: a ScoreSummary, or, for a decision logged before 1.1 (decision 047), the same without `verdict` and with the engine's total as a number for every applicant.",
        oneOf: [
          { $ref: "#/components/schemas/ScoreSummary" },
          {
            type: "object",
            required: ["eligible", "vetoed", "failedGates", "total", "categories", "items"],
            additionalProperties: false,
            properties: {
              eligible: { type: "boolean" },
              vetoed: { type: "boolean" },
              failedGates: { type: "array", items: { type: "string" } },
              total: { type: "number" },
              categories: { type: "object", additionalProperties: { type: "number" } },
              items: { type: "object", additionalProperties: { type: "number" } },
            },
          },
        ],
      },
      ScoreSheet: {
        type: "object",
        description:
          "The reference path's explained score sheet (engine/types.ts ScoreSheet), for engineers: its `total` is the points counted, a number also for an applicant who fails a gate or is vetoed, who has no score (see `score.total` and `verdict`).",
        required: ["standardId", "version", "program", "date", "eligible", "gates", "vetoes", "vetoed", "derived", "items", "adjustments", "categories", "total"],
        properties: {
          standardId: { type: "string" },
          version: { type: "string" },
          program: { type: "string" },
          date: isoDate,
          eligible: { type: "boolean" },
          gates: { type: "array", items: { type: "object", required: ["id", "passed", "reason", "trace"] } },
          vetoes: { type: "array", items: { type: "object", required: ["id", "triggered", "reason", "trace"] } },
          vetoed: { type: "boolean" },
          derived: { type: "object" },
          items: {
            type: "array",
            items: { type: "object", required: ["id", "category", "points", "explanation"], properties: { id: { type: "string" }, points: { type: "number" } } },
          },
          adjustments: {
            type: "array",
            description:
              "Signed corrections above the items, so that items + adjustments = total: caps of groups, categories and the total, its floor, and the document's percentages or multipliers of the total (totalAdjustment, with the adjustment's id). 项目分加各项调整等于总分。",
            items: {
              type: "object",
              required: ["kind", "points"],
              properties: {
                kind: { enum: ["groupCap", "categoryCap", "totalFloor", "totalCap", "totalAdjustment"] },
                id: { type: "string" },
                category: { type: "string" },
                points: { type: "number" },
              },
            },
          },
          categories: { type: "object", additionalProperties: { type: "number" } },
          total: { type: "number" },
        },
      },
      EvaluateResponse: {
        type: "object",
        required: [...Object.keys(versionFields), "program", "date", "decisionId", "inputHash", "score"],
        additionalProperties: false,
        properties: {
          ...versionFields,
          program: { type: "string" },
          date: isoDate,
          decisionId: { type: "integer" },
          inputHash: { ...sha256Hex, description: "SHA-256 of the canonical JSON of {facts, program, date}." },
          score: { $ref: "#/components/schemas/ScoreSummary" },
          verdict: { $ref: "#/components/schemas/Verdict" },
          sheet: { $ref: "#/components/schemas/ScoreSheet" },
          explanation: { $ref: "#/components/schemas/Explanation" },
        },
      },
      Verdict: {
        enum: ["admitted", "belowLine", "ineligible", "vetoed"],
        description:
          "The program's verdict (decision 024): admitted (reaches the score line; for a quota program: eligible and ranked, places are given by /rank), belowLine, ineligible (a gate fails), vetoed. For ineligible and vetoed there is no score and `total` is null (decision 047). 不符合准入条件或一票否决者不计分。",
      },
      Text: { type: "object", required: ["zh", "en"], properties: { zh: { type: "string" }, en: { type: "string" } } },
      ExplainedFact: {
        type: "object",
        required: ["fact", "label", "value"],
        properties: { fact: { type: "string" }, label: { $ref: "#/components/schemas/Text" }, value: { $ref: "#/components/schemas/Text" } },
      },
      Explanation: {
        type: "object",
        description:
          "The score sheet explained in both languages, as every output of the product shows it (engine/scoring/explain.ts, decision 037): per item the inputs read, the arithmetic in words (`arithmetic`: \"84个月 → 7年 × 4分 = 28分\"), then `limits` (vesting, the item's cap with the amount removed, a choose-one group) and `notes` (tiers or bands not reached, the window with its dates, records not counted); gates and vetoes by label with the facts that decided them; the verdict in words; `total` null when there is no score. Ids beside the texts for machines; the texts never show them.",
        required: ["standard", "program", "date", "dateText", "gates", "vetoes", "items", "adjustments", "categories", "verdict", "total"],
        properties: {
          standard: {
            type: "object",
            properties: { id: { type: "string" }, title: { $ref: "#/components/schemas/Text" }, version: { type: "string" }, documentNumbers: { type: "array", items: { type: "string" } } },
          },
          program: { type: "object", properties: { id: { type: "string" }, label: { $ref: "#/components/schemas/Text" } } },
          date: isoDate,
          dateText: { $ref: "#/components/schemas/Text" },
          persons: {
            type: "object",
            properties: {
              scored: { type: "string" },
              text: { $ref: "#/components/schemas/Text" },
              candidates: {
                type: "array",
                items: {
                  type: "object",
                  properties: { person: { type: "string" }, label: { $ref: "#/components/schemas/Text" }, total: { type: ["number", "null"] }, status: { $ref: "#/components/schemas/Text" }, counts: { type: "boolean" } },
                },
              },
            },
          },
          gates: { type: "array", items: { $ref: "#/components/schemas/ExplainedRule" } },
          vetoes: { type: "array", items: { $ref: "#/components/schemas/ExplainedRule" } },
          items: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "label", "category", "points", "notApplicable", "inputs", "arithmetic", "limits", "notes"],
              properties: {
                id: { type: "string" },
                label: { $ref: "#/components/schemas/Text" },
                category: { type: "string" },
                points: { type: "number" },
                notApplicable: { type: "boolean" },
                inputs: { type: "array", items: { $ref: "#/components/schemas/ExplainedFact" } },
                arithmetic: { type: "array", items: { $ref: "#/components/schemas/Text" } },
                limits: { type: "array", items: { $ref: "#/components/schemas/Text" } },
                notes: { type: "array", items: { $ref: "#/components/schemas/Text" } },
                article: { type: "string" },
              },
            },
          },
          adjustments: {
            type: "array",
            items: { type: "object", required: ["kind", "points", "label"], properties: { kind: { type: "string" }, id: { type: "string" }, category: { type: "string" }, points: { type: "number" }, label: { $ref: "#/components/schemas/Text" } } },
          },
          categories: {
            type: "array",
            items: { type: "object", properties: { id: { type: "string" }, label: { $ref: "#/components/schemas/Text" }, points: { type: "number" } } },
          },
          verdict: {
            type: "object",
            required: ["kind", "text"],
            properties: { kind: { $ref: "#/components/schemas/Verdict" }, line: { type: "number" }, text: { $ref: "#/components/schemas/Text" } },
          },
          total: { type: ["number", "null"], description: "null: the applicant fails a gate or is vetoed, so there is no score." },
        },
      },
      ExplainedRule: {
        type: "object",
        required: ["id", "label", "ok", "conditions", "facts"],
        properties: {
          id: { type: "string" },
          label: { $ref: "#/components/schemas/Text" },
          ok: { type: "boolean", description: "A gate that holds, a veto not triggered." },
          conditions: { type: "array", items: { $ref: "#/components/schemas/Text" } },
          facts: { type: "array", items: { $ref: "#/components/schemas/ExplainedFact" } },
          reason: { $ref: "#/components/schemas/Text" },
        },
      },
      Applicant: {
        type: "object",
        required: ["id"],
        properties: { id: { type: "string" }, facts: { $ref: "#/components/schemas/Facts" } },
      },
      BatchRequest: {
        description: "A batch in the object form or the table form (not both).",
        oneOf: [{ $ref: "#/components/schemas/BatchObjectRequest" }, { $ref: "#/components/schemas/BatchTableRequest" }],
      },
      BatchObjectRequest: {
        type: "object",
        description: "The object form: one {id, facts} per applicant.",
        required: ["program", "date", "applicants"],
        not: { anyOf: [{ required: ["columns"] }, { required: ["rows"] }] },
        properties: { program: { type: "string" }, date: isoDate, applicants: { type: "array", minItems: 1, items: { $ref: "#/components/schemas/Applicant" } } },
      },
      BatchTableRequest: {
        type: "object",
        description: `The table form: \`columns\` names the cells, \`rows\` holds one list of cells per applicant. 表格形式：columns 为列名，rows 每位申请人一行。 Members may come in any order; with \`rows\` last and no other members, the rows are read fastest. rows 放在最后时读取最快。 ${tableFormProblems}`,
        required: ["program", "date", "columns", "rows"],
        not: { required: ["applicants"] },
        properties: { program: { type: "string" }, date: isoDate, columns: tableColumns, rows: tableRows },
      },
      BatchResponse: {
        description: "The answer in the form of the request: `results` for the object form, `columns` + `rows` for the table form.",
        oneOf: [{ $ref: "#/components/schemas/BatchObjectResponse" }, { $ref: "#/components/schemas/BatchTableResponse" }],
      },
      BatchObjectResponse: {
        type: "object",
        required: [...Object.keys(versionFields), "program", "date", "batchId", "itemIds", "categoryIds", "results"],
        additionalProperties: false,
        properties: {
          ...batchAnswerHead,
          itemIds: { type: "array", items: { type: "string" }, description: "The order of each result's `items`." },
          categoryIds: { type: "array", items: { type: "string" }, description: "The order of each result's `categories`." },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "decisionId", "eligible", "vetoed", "failedGates", "items", "categories", "total", "verdict"],
              additionalProperties: false,
              properties: {
                id: { type: "string" },
                decisionId: { type: "integer" },
                inputHash: { ...sha256Hex, description: "Only with ?inputHashes=true." },
                eligible: { type: "boolean" },
                vetoed: { type: "boolean" },
                failedGates: { type: "array", items: { type: "string" } },
                items: { type: "array", items: { type: "number" } },
                categories: { type: "array", items: { type: "number" } },
                total: { type: ["number", "null"], description: "null: a gate fails or a veto applies, so there is no score." },
                verdict: { $ref: "#/components/schemas/Verdict" },
              },
            },
          },
        },
      },
      BatchTableResponse: {
        type: "object",
        description: "The answer to the table form: one row per applicant, in the order of the request's rows.",
        required: [...Object.keys(versionFields), "program", "date", "batchId", "firstDecisionId", "columns", "rows"],
        additionalProperties: false,
        properties: {
          ...batchAnswerHead,
          firstDecisionId: { type: "integer", description: "Decision id of the first row's applicant; row i is firstDecisionId + i (also its \"decisionId\" cell)." },
          columns: {
            type: "array",
            description:
              'Names of each row\'s cells: "id", "decisionId", "inputHash" (only with ?inputHashes=true), "eligible", "vetoed", "total" (null where there is no score), "verdict", "failedGates" (a list of gate ids), then "categories/{categoryId}" and "items/{itemId}" (points) in the document\'s order. 列：id、decisionId、（inputHash）、eligible、vetoed、total（不计分时为 null）、verdict、failedGates，其后为各类别与各项目的分数。',
            prefixItems: [{ const: "id" }, { const: "decisionId" }],
            items: { type: "string" },
            examples: [["id", "decisionId", "eligible", "vetoed", "total", "verdict", "failedGates", "categories/base", "categories/bonus", "items/education"]],
          },
          rows: {
            type: "array",
            items: {
              type: "array",
              description: "One cell per column: the applicant id (text), its decision id (integer), then its figures as `columns` names them.",
              prefixItems: [{ type: "string" }, { type: "integer" }],
              items: {
                oneOf: [{ type: "boolean" }, { type: "number" }, { type: "null" }, sha256Hex, { $ref: "#/components/schemas/Verdict" }, { type: "array", items: { type: "string" } }],
              },
            },
          },
        },
      },
      RankRequest: {
        type: "object",
        description: "The applicants in the object form (`applicants`) or the table form (`columns` + `rows`, null cell = fact not given), not both.",
        required: ["program", "date"],
        properties: {
          program: { type: "string" },
          date: isoDate,
          quotas: { type: "object", additionalProperties: { type: "integer", minimum: 0 }, description: 'Places per pool value; "*" when the program has no pools.' },
          seed: { type: "string", description: "Lottery seed (overrides the program's published seed)." },
          applicants: { type: "array", minItems: 1, items: { $ref: "#/components/schemas/Applicant" } },
          columns: tableColumns,
          rows: tableRows,
        },
        oneOf: [
          { title: "Object form", required: ["applicants"], not: { anyOf: [{ required: ["columns"] }, { required: ["rows"] }] } },
          { title: "Table form", required: ["columns", "rows"], not: { required: ["applicants"] } },
        ],
      },
      Allocation: {
        type: "object",
        required: ["kind", "admittedCount", "pools", "applicants"],
        additionalProperties: false,
        properties: {
          kind: { enum: ["threshold", "quota"] },
          tiePolicy: { enum: ["admitAll", "lottery", "exclude"] },
          admittedCount: { type: "integer" },
          pools: {
            type: "array",
            items: {
              type: "object",
              required: ["pool", "places", "candidates", "admittedRound1", "admittedRound2", "cutoffTotal", "leftover"],
              properties: {
                pool: { type: "string" },
                places: { type: ["integer", "null"] },
                candidates: { type: "integer" },
                admittedRound1: { type: "integer" },
                admittedRound2: { type: "integer" },
                cutoffTotal: { type: ["number", "null"] },
                leftover: { type: "integer" },
              },
            },
          },
          applicants: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "pool", "total", "rank", "admitted"],
              properties: {
                id: { type: "string" },
                pool: { type: "string" },
                total: { type: ["number", "null"], description: "null: the applicant fails a gate or is vetoed (reason ineligible or vetoed), so there is no score." },
                rank: { type: ["integer", "null"] },
                admitted: { enum: ["round1", "round2", null] },
                reason: { enum: ["ineligible", "vetoed", "belowMinimum", "belowThreshold", "belowCutoff", "tieExcluded", "lotteryLost", "sameKey"] },
              },
            },
          },
        },
      },
      RankResponse: {
        type: "object",
        required: [...Object.keys(versionFields), "program", "date", "decisionId", "inputHash", "allocation"],
        additionalProperties: false,
        properties: {
          ...versionFields,
          program: { type: "string" },
          date: isoDate,
          decisionId: { type: "integer" },
          inputHash: sha256Hex,
          allocation: { $ref: "#/components/schemas/Allocation" },
        },
      },
      StandardInEffect: {
        type: "object",
        required: [...Object.keys(versionFields), "date", "effectiveFrom", "effectiveTo", "title", "jurisdiction", "programs", "facts", "derived", "categories", "items"],
        properties: {
          ...versionFields,
          date: isoDate,
          effectiveFrom: { type: ["string", "null"] },
          effectiveTo: { type: ["string", "null"] },
          title: bilingual,
          jurisdiction: { type: "object", required: ["code", "name"], properties: { code: { type: "string" }, name: bilingual } },
          programs: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "kind", "label", "allocation"],
              properties: { id: { type: "string" }, kind: { type: "string" }, label: bilingual, allocation: { enum: ["threshold", "quota"] }, poolBy: { type: "string" } },
            },
          },
          facts: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "type", "label"],
              properties: {
                id: { type: "string" },
                type: { enum: ["number", "integer", "boolean", "date", "string", "enum", "records"] },
                label: bilingual,
              },
            },
          },
          derived: { type: "array", items: { type: "object", required: ["id", "kind", "label"] } },
          categories: { type: "array", items: { type: "object", required: ["id", "kind", "label"] } },
          items: { type: "array", items: { type: "object", required: ["id", "category", "label"] } },
        },
      },
      Decision: {
        type: "object",
        required: ["decisionId", "at", "standardId", "versionId", "versionHash", "program", "date", "inputHash", "input", "output"],
        additionalProperties: false,
        properties: {
          decisionId: { type: "integer" },
          at: { type: "string" },
          standardId: { type: "string" },
          versionId: { type: "integer" },
          versionHash: sha256Hex,
          program: { type: "string" },
          date: isoDate,
          inputHash: sha256Hex,
          input: {
            type: "object",
            description:
              "Canonical input: {facts, program, date}, or {applicants, program, date, quotas, seed} for a ranking. An applicant of a batch shows the input a single evaluation of its facts would log (in the table form, null cells left out).",
          },
          output: { type: "object" },
          batch: batchReference,
        },
      },
      ReplayResponse: {
        type: "object",
        required: ["decisionId", "identical", "versionId", "versionHash", "versionHashMatches", "inputHashMatches", "recorded", "replayed"],
        additionalProperties: false,
        properties: {
          decisionId: { type: "integer" },
          identical: { type: "boolean", description: "Recomputed output equals the recorded one, and the version and input hashes match." },
          versionId: { type: "integer" },
          versionHash: sha256Hex,
          versionHashMatches: { type: "boolean" },
          inputHashMatches: { type: "boolean" },
          recorded: { type: "object" },
          replayed: { type: "object" },
          sheet: { $ref: "#/components/schemas/ScoreSheet" },
          explanation: { $ref: "#/components/schemas/Explanation" },
          batch: batchReference,
        },
      },
      DecisionBatch: {
        type: "object",
        required: [
          "batchId",
          "at",
          "standardId",
          "versionId",
          "versionHash",
          "program",
          "date",
          "inputHash",
          "applicantCount",
          "firstDecisionId",
          "lastDecisionId",
          "itemIds",
          "categoryIds",
        ],
        additionalProperties: false,
        properties: {
          batchId: { type: "integer" },
          at: { type: "string" },
          standardId: { type: "string" },
          versionId: { type: "integer" },
          versionHash: sha256Hex,
          program: { type: "string" },
          date: isoDate,
          inputHash: { ...sha256Hex, description: "SHA-256 of the request body as received (UTF-8)." },
          applicantCount: { type: "integer", minimum: 1 },
          firstDecisionId: { type: "integer", description: "Decision id of the batch's first applicant; applicant i is firstDecisionId + i." },
          lastDecisionId: { type: "integer" },
          itemIds: { type: "array", items: { type: "string" } },
          categoryIds: { type: "array", items: { type: "string" } },
        },
      },
      BatchReplayResponse: {
        type: "object",
        required: [
          "batchId",
          "identical",
          "versionId",
          "versionHash",
          "versionHashMatches",
          "inputHashMatches",
          "applicantCount",
          "firstDecisionId",
          "differingCount",
          "differences",
        ],
        additionalProperties: false,
        properties: {
          batchId: { type: "integer" },
          identical: { type: "boolean", description: "Every applicant's recomputed score equals the logged one, and the body and version hashes match." },
          versionId: { type: "integer" },
          versionHash: sha256Hex,
          versionHashMatches: { type: "boolean" },
          inputHashMatches: { type: "boolean" },
          applicantCount: { type: "integer" },
          firstDecisionId: { type: "integer" },
          differingCount: { type: "integer", minimum: 0 },
          differences: {
            type: "array",
            description: "The first 100 applicants whose recomputed score differs from the logged one.",
            items: {
              type: "object",
              required: ["index", "id", "decisionId", "recorded", "replayed"],
              additionalProperties: false,
              properties: {
                index: { type: "integer" },
                id: { type: "string" },
                decisionId: { type: "integer" },
                recorded: { oneOf: [{ $ref: "#/components/schemas/LoggedScoreSummary" }, { type: "null" }] },
                replayed: { $ref: "#/components/schemas/LoggedScoreSummary" },
              },
            },
          },
        },
      },
    },
  },
} as const;
