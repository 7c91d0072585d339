/** The document in words now lives beside the engine's explanation (decision 037); kept here for the screens' imports. */
export * from "../../../engine/scoring/describe";
