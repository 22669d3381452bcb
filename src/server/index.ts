export { createServer, type CreateServerOptions } from "./server.js";
export { type ServerLimits, DEFAULT_LIMITS } from "./schemas.js";
export { closeOnSignals } from "./signals.js";
export {
  type ModelRole,
  type ModelKind,
  type ServedModel,
  vectorModel,
  searcherModel,
  makeSnippet,
  CorpusStore,
} from "./catalog.js";
export {
  type Segment,
  type QueryTokenMatch,
  type PlanView,
  type Explanation,
  explainLateInteraction,
} from "./explain.js";
export { QueryEncoderRouter } from "./router.js";
export {
  type ModelSpec,
  type ServeSetupOptions,
  type ServeSetup,
  parseModelSpec,
  openServeSetup,
  experimentServeOptions,
} from "./setup.js";
