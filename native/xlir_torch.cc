// xlir_torch: a thin, generic N-API binding to libtorch 1.13 or 2.x (ops, not models).
// Model code, losses and training loops live in TypeScript (src/engine/torch.ts wraps this).
// New tensors are created on the current device (setDevice: cpu, cuda, cuda:N); ops run where their
// inputs are; toArray copies to the host.
#include <dlfcn.h>

#include "xlir_torch.h"

namespace xlir {

std::atomic<int64_t> g_live{0};
const napi_type_tag kTensorTag = {0x7a1f3c9e2b5d4a81ULL, 0x9c3e5f7a1b2d4c6eULL};

static c10::Device g_device(torch::kCPU);
const c10::Device& CurrentDevice() { return g_device; }

// "cpu", "cuda", "cuda:N"; CUDA must be usable and N below the device count.
static c10::Device ParseDevice(const Napi::Value& v) {
  if (!v.IsString()) throw std::invalid_argument("expected a device name (cpu, cuda, cuda:N)");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s != "cpu" && s.rfind("cuda", 0) != 0) throw std::invalid_argument("unknown device '" + s + "' (cpu, cuda, cuda:N)");
  c10::Device d(s);
  if (d.is_cuda()) {
    if (!torch::cuda::is_available())
      throw std::invalid_argument("device '" + s + "': CUDA is not available to libtorch " + TORCH_VERSION);
    auto n = static_cast<int64_t>(torch::cuda::device_count());
    if (d.has_index() && d.index() >= n)
      throw std::invalid_argument("device '" + s + "': libtorch sees " + std::to_string(n) + " CUDA device(s)");
  }
  return d;
}

// ---- creation and conversion ----------------------------------------------------------------

XLIR_FN(fromArray) {  // (typedArray, shape, dtype?) -> copy
  auto ta = info[0].As<Napi::TypedArray>();
  auto shape = Ints(info[1]);
  torch::ScalarType src;
  switch (ta.TypedArrayType()) {
    case napi_float32_array: src = torch::kFloat32; break;
    case napi_float64_array: src = torch::kFloat64; break;
    case napi_bigint64_array: src = torch::kInt64; break;
    case napi_int32_array: src = torch::kInt32; break;
    case napi_uint8_array: src = torch::kBool; break;
    default: throw std::invalid_argument("fromArray: unsupported typed array");
  }
  int64_t n = 1;
  for (auto s : shape) n *= s;
  if (n != static_cast<int64_t>(ta.ElementLength()))
    throw std::invalid_argument("fromArray: shape holds " + std::to_string(n) + " elements, array has " +
                                std::to_string(ta.ElementLength()));
  auto* data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  auto t = torch::from_blob(data, shape, torch::TensorOptions().dtype(src)).clone();
  auto dt = DType(info[2], src);
  if (dt != src) t = t.to(dt);
  if (g_device != t.device()) t = t.to(g_device);
  return Wrap(info.Env(), t);
}

XLIR_FN(toArray) {  // copy out as Float32Array / Float64Array / BigInt64Array / Int32Array / Uint8Array
  auto env = info.Env();
  auto t = T(info[0]).detach();
  if (!t.device().is_cpu()) t = t.to(torch::kCPU);  // blocking copy to the host
  t = t.contiguous();
  size_t n = t.numel();
  size_t bytes = n * t.element_size();
  auto buf = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(buf.Data(), t.data_ptr(), bytes);
  switch (t.scalar_type()) {
    case torch::kFloat32: return Napi::Float32Array::New(env, n, buf, 0);
    case torch::kFloat64: return Napi::Float64Array::New(env, n, buf, 0);
    case torch::kInt64: return Napi::BigInt64Array::New(env, n, buf, 0);
    case torch::kInt32: return Napi::Int32Array::New(env, n, buf, 0);
    case torch::kBool: return Napi::Uint8Array::New(env, n, buf, 0);
    default: throw std::invalid_argument("toArray: unsupported dtype " + DTypeName(t.scalar_type()));
  }
}

XLIR_FN(item) { return Napi::Number::New(info.Env(), T(info[0]).item<double>()); }
XLIR_FN(shape) {
  auto s = T(info[0]).sizes();
  auto out = Napi::Array::New(info.Env(), s.size());
  for (size_t i = 0; i < s.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), s[i]));
  return out;
}
XLIR_FN(dtype) { return Napi::String::New(info.Env(), DTypeName(T(info[0]).scalar_type())); }
XLIR_FN(to) { return Wrap(info.Env(), T(info[0]).to(DType(info[1], torch::kFloat32))); }

static torch::TensorOptions Opts(const Napi::Value& v) {
  return torch::TensorOptions().dtype(DType(v, torch::kFloat32)).device(g_device);
}
// Random tensors are drawn on the CPU generator and then moved, so a seed gives the same numbers on every device.
static torch::Tensor OnDevice(torch::Tensor t) { return g_device.is_cpu() ? t : t.to(g_device); }
XLIR_FN(zeros) { return Wrap(info.Env(), torch::zeros(Ints(info[0]), Opts(info[1]))); }
XLIR_FN(ones) { return Wrap(info.Env(), torch::ones(Ints(info[0]), Opts(info[1]))); }
XLIR_FN(full) { return Wrap(info.Env(), torch::full(Ints(info[0]), Dbl(info[1]), Opts(info[2]))); }
XLIR_FN(arange) {  // (start, end, step, dtype)
  return Wrap(info.Env(), torch::arange(Dbl(info[0]), Dbl(info[1]), Dbl(info[2]), Opts(info[3])));
}
XLIR_FN(randn) { return Wrap(info.Env(), OnDevice(torch::randn(Ints(info[0]), Opts(info[1]).device(torch::kCPU)))); }
XLIR_FN(rand) { return Wrap(info.Env(), OnDevice(torch::rand(Ints(info[0]), Opts(info[1]).device(torch::kCPU)))); }
XLIR_FN(eye) { return Wrap(info.Env(), torch::eye(I64(info[0]), Opts(info[1]))); }

// ---- elementwise ----------------------------------------------------------------------------

#define UNARY(name, expr)                 \
  XLIR_FN(name) {                         \
    auto& a = T(info[0]);                 \
    return Wrap(info.Env(), expr);        \
  }
UNARY(neg, torch::neg(a))
UNARY(exp, torch::exp(a))
UNARY(log, torch::log(a))
UNARY(sqrt, torch::sqrt(a))
UNARY(rsqrt, torch::rsqrt(a))
UNARY(tanh, torch::tanh(a))
UNARY(sigmoid, torch::sigmoid(a))
UNARY(relu, torch::relu(a))
UNARY(abs, torch::abs(a))
UNARY(erf, torch::erf(a))
UNARY(detach, a.detach())
UNARY(contiguous, a.contiguous())
UNARY(clone, a.clone())

XLIR_FN(gelu) {  // (a, approximate: "none" | "tanh")
  std::string approx = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "none";
  return Wrap(info.Env(), torch::gelu(T(info[0]), approx));
}

// Binary ops broadcast; the second operand may be a number.
#define BINARY(name, fn)                                                      \
  XLIR_FN(name) {                                                             \
    auto& a = T(info[0]);                                                     \
    if (info[1].IsNumber()) return Wrap(info.Env(), fn(a, torch::Scalar(Dbl(info[1])))); \
    return Wrap(info.Env(), fn(a, T(info[1])));                               \
  }
static torch::Tensor Add(const torch::Tensor& a, const torch::Tensor& b) { return torch::add(a, b); }
static torch::Tensor Add(const torch::Tensor& a, const torch::Scalar& b) { return torch::add(a, b); }
static torch::Tensor Sub(const torch::Tensor& a, const torch::Tensor& b) { return torch::sub(a, b); }
static torch::Tensor Sub(const torch::Tensor& a, const torch::Scalar& b) { return torch::sub(a, b); }
static torch::Tensor Max2(const torch::Tensor& a, const torch::Tensor& b) { return torch::maximum(a, b); }
static torch::Tensor Max2(const torch::Tensor& a, const torch::Scalar& b) { return torch::clamp_min(a, b); }
static torch::Tensor Min2(const torch::Tensor& a, const torch::Tensor& b) { return torch::minimum(a, b); }
static torch::Tensor Min2(const torch::Tensor& a, const torch::Scalar& b) { return torch::clamp_max(a, b); }
BINARY(add, Add)
BINARY(sub, Sub)
BINARY(mul, torch::mul)
BINARY(div, torch::div)
BINARY(pow, torch::pow)
BINARY(maximum, Max2)
BINARY(minimum, Min2)
BINARY(eq, torch::eq)
BINARY(ne, torch::ne)
BINARY(gt, torch::gt)
BINARY(lt, torch::lt)
BINARY(ge, torch::ge)
BINARY(le, torch::le)
XLIR_FN(rsub) { return Wrap(info.Env(), torch::rsub(T(info[0]), torch::Scalar(Dbl(info[1])))); }  // s - a
XLIR_FN(logicalAnd) { return Wrap(info.Env(), torch::logical_and(T(info[0]), T(info[1]))); }
XLIR_FN(logicalNot) { return Wrap(info.Env(), torch::logical_not(T(info[0]))); }

XLIR_FN(clamp) {  // (a, min|null, max|null)
  c10::optional<torch::Scalar> lo, hi;
  if (info[1].IsNumber()) lo = Dbl(info[1]);
  if (info[2].IsNumber()) hi = Dbl(info[2]);
  return Wrap(info.Env(), torch::clamp(T(info[0]), lo, hi));
}
XLIR_FN(where) {  // (cond, a, b); a or b may be numbers
  auto& c = T(info[0]);
  auto& ref = info[1].IsNumber() ? T(info[2]) : T(info[1]);
  auto a = info[1].IsNumber() ? torch::full({}, Dbl(info[1]), ref.options()) : T(info[1]);
  auto b = info[2].IsNumber() ? torch::full({}, Dbl(info[2]), ref.options()) : T(info[2]);
  return Wrap(info.Env(), torch::where(c, a, b));
}
XLIR_FN(maskedFill) { return Wrap(info.Env(), T(info[0]).masked_fill(T(info[1]), Dbl(info[2]))); }

// ---- reductions -----------------------------------------------------------------------------

#define REDUCE(name, all, dims)                                              \
  XLIR_FN(name) {                                                            \
    auto& a = T(info[0]);                                                    \
    if (info[1].IsUndefined() || info[1].IsNull()) return Wrap(info.Env(), all); \
    auto d = Ints(info[1]);                                                  \
    bool keep = Bool(info[2], false);                                        \
    return Wrap(info.Env(), dims);                                           \
  }
REDUCE(sum, a.sum(), a.sum(d, keep))
REDUCE(mean, a.mean(), a.mean(d, keep))
REDUCE(amax, a.amax(), a.amax(d, keep))
REDUCE(amin, a.amin(), a.amin(d, keep))
REDUCE(logsumexp, torch::logsumexp(a.flatten(), 0), torch::logsumexp(a, d, keep))

XLIR_FN(max) { return Pair(info.Env(), torch::max(T(info[0]), I64(info[1]), Bool(info[2], false))); }
XLIR_FN(min) { return Pair(info.Env(), torch::min(T(info[0]), I64(info[1]), Bool(info[2], false))); }
XLIR_FN(argmax) { return Wrap(info.Env(), torch::argmax(T(info[0]), I64(info[1]), Bool(info[2], false))); }
XLIR_FN(topk) {  // (a, k, dim, largest) -> [values, indices]
  return Pair(info.Env(), torch::topk(T(info[0]), I64(info[1]), I64(info[2]), Bool(info[3], true)));
}
XLIR_FN(norm) {  // (a, p, dims|null, keepdim)
  auto& a = T(info[0]);
  torch::Scalar p = Dbl(info[1]);
  if (info[2].IsUndefined() || info[2].IsNull()) return Wrap(info.Env(), torch::norm(a, p));
  return Wrap(info.Env(), torch::norm(a, p, Ints(info[2]), Bool(info[3], false)));
}
XLIR_FN(softmax) { return Wrap(info.Env(), torch::softmax(T(info[0]), I64(info[1]))); }
XLIR_FN(logSoftmax) { return Wrap(info.Env(), torch::log_softmax(T(info[0]), I64(info[1]))); }
XLIR_FN(cumsum) { return Wrap(info.Env(), torch::cumsum(T(info[0]), I64(info[1]))); }

// ---- shapes and indexing --------------------------------------------------------------------

XLIR_FN(transpose) { return Wrap(info.Env(), T(info[0]).transpose(I64(info[1]), I64(info[2]))); }
XLIR_FN(permute) { return Wrap(info.Env(), T(info[0]).permute(Ints(info[1]))); }
XLIR_FN(reshape) { return Wrap(info.Env(), T(info[0]).reshape(Ints(info[1]))); }
XLIR_FN(view) { return Wrap(info.Env(), T(info[0]).view(Ints(info[1]))); }
XLIR_FN(expand) { return Wrap(info.Env(), T(info[0]).expand(Ints(info[1]))); }
XLIR_FN(unsqueeze) { return Wrap(info.Env(), T(info[0]).unsqueeze(I64(info[1]))); }
XLIR_FN(squeeze) { return Wrap(info.Env(), T(info[0]).squeeze(I64(info[1]))); }
XLIR_FN(narrow) { return Wrap(info.Env(), T(info[0]).narrow(I64(info[1]), I64(info[2]), I64(info[3]))); }
XLIR_FN(select) { return Wrap(info.Env(), T(info[0]).select(I64(info[1]), I64(info[2]))); }
XLIR_FN(indexSelect) { return Wrap(info.Env(), torch::index_select(T(info[0]), I64(info[1]), T(info[2]))); }
XLIR_FN(gather) { return Wrap(info.Env(), torch::gather(T(info[0]), I64(info[1]), T(info[2]))); }
XLIR_FN(embedding) {  // (weight [V, H], ids int64 [...]) -> [..., H]
  return Wrap(info.Env(), torch::embedding(T(info[0]), T(info[1])));
}
XLIR_FN(cat) { return Wrap(info.Env(), torch::cat(Tensors(info[0]), I64(info[1]))); }
XLIR_FN(stack) { return Wrap(info.Env(), torch::stack(Tensors(info[0]), I64(info[1]))); }
XLIR_FN(einsum) { return Wrap(info.Env(), torch::einsum(info[0].As<Napi::String>().Utf8Value(), Tensors(info[1]))); }

// ---- neural-network building blocks ---------------------------------------------------------

XLIR_FN(matmul) { return Wrap(info.Env(), torch::matmul(T(info[0]), T(info[1]))); }
XLIR_FN(bmm) { return Wrap(info.Env(), torch::bmm(T(info[0]), T(info[1]))); }
XLIR_FN(linear) {  // x [..., in] · w [out, in]^T + b [out]
  return Wrap(info.Env(), torch::linear(T(info[0]), T(info[1]), OptT(info[2])));
}
XLIR_FN(layerNorm) {  // (x, normalizedShape, weight?, bias?, eps)
  return Wrap(info.Env(), torch::layer_norm(T(info[0]), Ints(info[1]), OptT(info[2]), OptT(info[3]), Dbl(info[4])));
}
XLIR_FN(dropout) { return Wrap(info.Env(), torch::dropout(T(info[0]), Dbl(info[1]), Bool(info[2], true))); }
XLIR_FN(normalize) {  // (x, p, dim, eps): x / max(||x||_p, eps)
  namespace F = torch::nn::functional;
  return Wrap(info.Env(), F::normalize(T(info[0]), F::NormalizeFuncOptions().p(Dbl(info[1])).dim(I64(info[2])).eps(Dbl(info[3]))));
}
static at::Reduction::Reduction Red(const Napi::Value& v) {
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "mean";
  if (s == "mean") return at::Reduction::Mean;
  if (s == "sum") return at::Reduction::Sum;
  if (s == "none") return at::Reduction::None;
  throw std::invalid_argument("unknown reduction '" + s + "' (mean, sum, none)");
}
XLIR_FN(crossEntropy) {  // (logits [N, C], target int64 [N], reduction, labelSmoothing)
  double ls = info[3].IsNumber() ? Dbl(info[3]) : 0.0;
  return Wrap(info.Env(), torch::cross_entropy_loss(T(info[0]), T(info[1]), {}, Red(info[2]), -100, ls));
}
XLIR_FN(mseLoss) { return Wrap(info.Env(), torch::mse_loss(T(info[0]), T(info[1]), Red(info[2]))); }

// ---- autograd -------------------------------------------------------------------------------

XLIR_FN(setRequiresGrad) {
  T(info[0]).requires_grad_(Bool(info[1], true));
  return info.Env().Undefined();
}
XLIR_FN(requiresGrad) { return Napi::Boolean::New(info.Env(), T(info[0]).requires_grad()); }
XLIR_FN(backward) {  // (loss, grad?, retainGraph?)
  T(info[0]).backward(OptT(info[1]), Bool(info[2], false));
  return info.Env().Undefined();
}
XLIR_FN(grad) { return Wrap(info.Env(), T(info[0]).grad()); }
XLIR_FN(zeroGrad) {  // drop the .grad of every tensor (set_to_none semantics)
  for (auto& t : Tensors(info[0])) t.mutable_grad().reset();
  return info.Env().Undefined();
}
XLIR_FN(setGradEnabled) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(Bool(info[0], true));
  return Napi::Boolean::New(info.Env(), prev);
}
XLIR_FN(isGradEnabled) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); }
XLIR_FN(clipGradNorm) {  // (params, maxNorm, normType) -> total norm before clipping
  double n = torch::nn::utils::clip_grad_norm_(Tensors(info[0]), Dbl(info[1]), info[2].IsNumber() ? Dbl(info[2]) : 2.0);
  return Napi::Number::New(info.Env(), n);
}

// In-place updates, always outside autograd (weight loading and initialisation).
XLIR_FN(copyInto) {  // (dst, src)
  torch::NoGradGuard g;
  T(info[0]).copy_(T(info[1]));
  return info.Env().Undefined();
}
XLIR_FN(normalInit) {  // (dst, mean, std), drawn on the CPU generator (same numbers on every device)
  torch::NoGradGuard g;
  auto& dst = T(info[0]);
  if (dst.device().is_cpu()) dst.normal_(Dbl(info[1]), Dbl(info[2]));
  else dst.copy_(torch::empty(dst.sizes(), dst.options().device(torch::kCPU)).normal_(Dbl(info[1]), Dbl(info[2])));
  return info.Env().Undefined();
}

// ---- lifetime, seeds, threads ---------------------------------------------------------------

XLIR_FN(freeTensor) {
  Box* b = GetBox(info[0]);
  if (b->t.defined()) {
    b->t = torch::Tensor();
    g_live--;
  }
  return info.Env().Undefined();
}
XLIR_FN(isFreed) { return Napi::Boolean::New(info.Env(), !GetBox(info[0])->t.defined()); }
XLIR_FN(liveTensors) { return Napi::Number::New(info.Env(), static_cast<double>(g_live.load())); }
XLIR_FN(manualSeed) {
  torch::manual_seed(static_cast<uint64_t>(I64(info[0])));
  return info.Env().Undefined();
}
XLIR_FN(setNumThreads) {
  torch::set_num_threads(static_cast<int>(I64(info[0])));
  return info.Env().Undefined();
}
XLIR_FN(getNumThreads) { return Napi::Number::New(info.Env(), torch::get_num_threads()); }
// OpenBLAS thread count, looked up at run time so the addon does not link OpenBLAS itself.
XLIR_FN(setBlasThreads) {
  auto fn = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (fn) fn(static_cast<int>(I64(info[0])));
  return Napi::Boolean::New(info.Env(), fn != nullptr);
}
XLIR_FN(getBlasThreads) {
  auto fn = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return Napi::Number::New(info.Env(), fn ? fn() : -1);
}
XLIR_FN(version) { return Napi::String::New(info.Env(), TORCH_VERSION); }

// ---- devices --------------------------------------------------------------------------------

XLIR_FN(setDevice) {  // (name) -> the device now current, e.g. "cuda:0"
  g_device = ParseDevice(info[0]);
  if (g_device.is_cuda() && !g_device.has_index()) g_device = c10::Device(torch::kCUDA, 0);
  return Napi::String::New(info.Env(), g_device.str());
}
XLIR_FN(getDevice) { return Napi::String::New(info.Env(), g_device.str()); }
XLIR_FN(deviceOf) { return Napi::String::New(info.Env(), T(info[0]).device().str()); }
XLIR_FN(toDevice) {  // (a, name) -> copy on that device (a itself when already there)
  return Wrap(info.Env(), T(info[0]).to(ParseDevice(info[1])));
}
XLIR_FN(cudaInfo) {  // what libtorch finds: {available, deviceCount, cudnn, libtorchCuda}
  auto env = info.Env();
  auto o = Napi::Object::New(env);
  bool ok = torch::cuda::is_available();
  o.Set("available", Napi::Boolean::New(env, ok));
  o.Set("deviceCount", Napi::Number::New(env, static_cast<double>(torch::cuda::device_count())));
  o.Set("cudnn", Napi::Boolean::New(env, ok && torch::cuda::cudnn_is_available()));
  // whether libtorch's CUDA library is loaded at all (a CPU-only libtorch never finds a GPU)
  void* cu = dlopen("libtorch_cuda.so", RTLD_LAZY | RTLD_NOLOAD);
  o.Set("libtorchCuda", Napi::Boolean::New(env, cu != nullptr));
  if (cu) dlclose(cu);
  return o;
}
XLIR_FN(synchronize) {  // waits for the current CUDA device's queued work (no-op on CPU); for timing
  if (g_device.is_cuda()) torch::cuda::synchronize(g_device.index());
  return info.Env().Undefined();
}

}  // namespace xlir

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
#define REG(name) exports.Set(#name, Napi::Function::New(env, xlir::name, #name));
  REG(fromArray) REG(toArray) REG(item) REG(shape) REG(dtype) REG(to) REG(zeros) REG(ones) REG(full)
  REG(arange) REG(randn) REG(rand) REG(eye) REG(neg) REG(exp) REG(log) REG(sqrt) REG(rsqrt) REG(tanh)
  REG(sigmoid) REG(relu) REG(abs) REG(erf) REG(detach) REG(contiguous) REG(clone) REG(gelu) REG(add)
  REG(sub) REG(mul) REG(div) REG(pow) REG(maximum) REG(minimum) REG(eq) REG(ne) REG(gt) REG(lt) REG(ge)
  REG(le) REG(rsub) REG(logicalAnd) REG(logicalNot) REG(clamp) REG(where) REG(maskedFill) REG(sum)
  REG(mean) REG(amax) REG(amin) REG(logsumexp) REG(max) REG(min) REG(argmax) REG(topk) REG(norm)
  REG(softmax) REG(logSoftmax) REG(cumsum) REG(transpose) REG(permute) REG(reshape) REG(view)
  REG(expand) REG(unsqueeze) REG(squeeze) REG(narrow) REG(select) REG(indexSelect) REG(gather)
  REG(embedding) REG(cat) REG(stack) REG(einsum) REG(matmul) REG(bmm) REG(linear) REG(layerNorm)
  REG(dropout) REG(normalize) REG(crossEntropy) REG(mseLoss) REG(setRequiresGrad) REG(requiresGrad)
  REG(backward) REG(grad) REG(zeroGrad) REG(setGradEnabled) REG(isGradEnabled) REG(clipGradNorm)
  REG(copyInto) REG(normalInit) REG(freeTensor) REG(isFreed) REG(liveTensors) REG(manualSeed)
  REG(setNumThreads) REG(getNumThreads) REG(setBlasThreads) REG(getBlasThreads) REG(version)
  REG(setDevice) REG(getDevice) REG(deviceOf) REG(toDevice) REG(cudaInfo) REG(synchronize)
#undef REG
  xlir::RegisterOptim(env, exports);
  xlir::RegisterDist(env, exports);
  return exports;
}

NODE_API_MODULE(xlir_torch, Init)
