// Utilities of the public API: seeded random numbers and small statistics. (XorShift32, which
// reproduces golden streams for tests, is imported from ./random.js by path.)
export { Mulberry32, mixSeed, mulberry32 } from "./random.js";
export { median } from "./stats.js";
export { f16ToF32, f32ToF16, f32ToBf16, halfToFloat, floatToHalf } from "./float16.js";
export { xlirVersion } from "./version.js";
export { GrowableInts } from "./growable.js";
