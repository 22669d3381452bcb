export {
  type WeightDtype,
  type WeightTensor,
  type NamedWeights,
  type Architecture,
  type EncoderConfig,
  type HeadConfig,
  type TokenVectors,
  type RetrievalEncoder,
} from "./types.js";
export { readSafetensors, parseSafetensors, type SafetensorsEntry, SafetensorsFile } from "./safetensors.js";
export { serializeSafetensors, writeSafetensors, type TensorToWrite } from "./safetensors-write.js";
export {
  parseHfConfig,
  maxSequenceLength,
  toHfConfig,
  expectedWeightShapes,
  SUPPORTED_MODEL_TYPES,
} from "./config.js";
export {
  checkShapes,
  loadHfFolder,
  inspectHfFolder,
  requireLateInteraction,
  HF_FILES,
  type HfModel,
  type HfModelInfo,
} from "./hf.js";
export { saveHfFolder, type SaveHfOptions } from "./hf-save.js";
export {
  encodeOnnxModel,
  OnnxType,
  type OnnxTypeCode,
  type OnnxTensor,
  type OnnxAttr,
  type OnnxNode,
  type OnnxValueInfo,
  type OnnxModel,
} from "./onnx-proto.js";
export { exportEncoderOnnx, type OnnxExportInput } from "./onnx-export.js";
export {
  type OnnxEncoderOptions,
  type RawEncoding,
  type OnnxSource,
  ONNX_EXPORTER_VERSION,
  ONNX_FILES,
  OnnxEncoder,
} from "./onnx-encoder.js";
export { type IdArray, type MaskArray, type TorchEncoderOptions, TorchEncoder } from "./torch-encoder.js";
export {
  encoderParamShapes,
  headParamShapes,
  canonicalName,
  loadParams,
  randomParams,
  exportParams,
  type ParamDType,
} from "./torch-weights.js";
export {
  type RoleSettings,
  type InteractionSettings,
  type Role,
  PLAIN_INTERACTION,
  isPlainInteraction,
  type RoleEncoding,
  roleLength,
  encodeForRole,
  type RoleBatch,
  encodeRoleBatch,
  gatherKept,
} from "./interaction.js";
export {
  type ModelLayout,
  LAYOUT_FILES,
  PUNCTUATION,
  type LayoutHead,
  detectLayout,
  notLateInteraction,
} from "./layouts.js";
export { colbertHead } from "./layout-colbert.js";
export { pylateHead } from "./layout-pylate.js";
export { WEIGHT_FILES, WeightFiles } from "./weights-files.js";
