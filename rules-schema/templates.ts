/** Documents a new standard can start from (issue 25, part 7). Data only. */
import starter from "./templates/starter.json";

/** The blank template: the shape of a standard with one example of each part, a test case that passes. */
export const STARTER_TEMPLATE: unknown = starter;
