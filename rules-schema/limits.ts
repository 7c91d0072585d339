/**
 * Bounds on what users may write, shared by the schema's checks, the API and the CLI (issue 18: bounded input).
 */

/** Real documents nest about a dozen levels (the example standards: at most 11); request bodies fewer. */
export const MAX_JSON_DEPTH = 64;

/**
 * The largest magnitude of a number in a document (points, caps, bounds, thresholds) and of a number fact sent to
 * the API: a trillion, far beyond any real figure (points are in the hundreds, incomes in yuan below a billion),
 * and small enough that sums and products of such numbers stay finite (no "Total Infinity"). The JSON Schema carries
 * the same figure as `minimum`/`maximum` (test/unit/rules-schema checks they agree).
 */
export const MAX_MAGNITUDE = 1e12;
