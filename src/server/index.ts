export {
  createServer,
  closeOnSignals,
  type ServerLimits,
  DEFAULT_LIMITS,
  type CreateServerOptions,
} from "./server.js";
