/** Fusion methods by name. Add a method: one file + one line here. */
import { combmnz, combsum } from "./comb.js";
import { rrf } from "./rrf.js";
import type { FusionMethod, FusionMethodName } from "./types.js";

export const FUSION_METHODS: Readonly<Record<FusionMethodName, FusionMethod>> = { rrf, combsum, combmnz };
