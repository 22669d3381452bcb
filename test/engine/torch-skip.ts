/** Shared by tests that need the libtorch binding: skip (with the reason in the suite title) only when it is not built. */
import { isTorchAvailable, torchLoadFailure } from "../../src/engine/index.js";

export const NO_TORCH = !isTorchAvailable();

/** Suite title, with the skip reason appended when the binding is missing. */
export function torchSuite(title: string): string {
  return NO_TORCH
    ? `${title} [SKIPPED: libtorch binding not built (${torchLoadFailure()}); run npm run build:native]`
    : title;
}
