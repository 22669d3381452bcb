// Shared helpers of the xlir libtorch binding: tensor handles, argument conversion, error mapping.
// Tensors cross into JavaScript as type-tagged napi Externals holding a Box; `free` releases the
// tensor at once, the GC finaliser is only a safety net.
#pragma once
#include <napi.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <atomic>
#include <string>
#include <vector>

namespace xlir {

struct Box {
  torch::Tensor t;
};

extern std::atomic<int64_t> g_live;  // boxes that still hold a tensor
extern const napi_type_tag kTensorTag;

// The device new tensors are created on (setDevice; CPU unless changed). Ops keep their inputs' device.
const c10::Device& CurrentDevice();

// Version differences between libtorch 1.13 (Debian) and 2.x sit behind this check.
#define XLIR_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// Every exported function: C++ exceptions (libtorch's c10::Error included) become JS errors
// carrying the libtorch message without its C++ backtrace.
#define XLIR_FN(name)                                                            \
  static Napi::Value name##_impl(const Napi::CallbackInfo& info);                \
  Napi::Value name(const Napi::CallbackInfo& info) {                             \
    try {                                                                        \
      return name##_impl(info);                                                  \
    } catch (const Napi::Error&) {                                               \
      throw;                                                                     \
    } catch (const c10::Error& e) {                                              \
      throw Napi::Error::New(info.Env(), e.what_without_backtrace());            \
    } catch (const std::exception& e) {                                          \
      throw Napi::Error::New(info.Env(), e.what());                              \
    }                                                                            \
  }                                                                              \
  static Napi::Value name##_impl(const Napi::CallbackInfo& info)

inline Napi::Value Wrap(Napi::Env env, torch::Tensor t) {
  if (!t.defined()) return env.Null();
  auto* b = new Box{std::move(t)};
  g_live++;
  auto ext = Napi::External<Box>::New(env, b, [](Napi::Env, Box* p) {
    if (p->t.defined()) g_live--;
    delete p;
  });
  ext.TypeTag(&kTensorTag);
  return ext;
}

inline Box* GetBox(const Napi::Value& v) {
  if (!v.IsExternal()) throw std::invalid_argument("expected a tensor handle");
  auto ext = v.As<Napi::External<Box>>();
  if (!ext.CheckTypeTag(&kTensorTag)) throw std::invalid_argument("expected a tensor handle");
  return ext.Data();
}

inline torch::Tensor& T(const Napi::Value& v) {
  Box* b = GetBox(v);
  if (!b->t.defined()) throw std::invalid_argument("tensor was already freed");
  return b->t;
}

inline torch::Tensor OptT(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return torch::Tensor();
  return T(v);
}

inline int64_t I64(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless = false;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (!v.IsNumber()) throw std::invalid_argument("expected an integer");
  return v.As<Napi::Number>().Int64Value();
}

inline double Dbl(const Napi::Value& v) {
  if (!v.IsNumber()) throw std::invalid_argument("expected a number");
  return v.As<Napi::Number>().DoubleValue();
}

inline bool Bool(const Napi::Value& v, bool dflt) {
  if (v.IsUndefined() || v.IsNull()) return dflt;
  return v.ToBoolean().Value();
}

inline std::vector<int64_t> Ints(const Napi::Value& v) {
  if (!v.IsArray()) throw std::invalid_argument("expected an array of integers");
  auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = I64(a.Get(i));
  return out;
}

inline std::vector<torch::Tensor> Tensors(const Napi::Value& v) {
  if (!v.IsArray()) throw std::invalid_argument("expected an array of tensor handles");
  auto a = v.As<Napi::Array>();
  std::vector<torch::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(T(a.Get(i)));
  return out;
}

inline torch::ScalarType DType(const Napi::Value& v, torch::ScalarType dflt) {
  if (v.IsUndefined() || v.IsNull()) return dflt;
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "float32") return torch::kFloat32;
  if (s == "float64") return torch::kFloat64;
  if (s == "int64") return torch::kInt64;
  if (s == "int32") return torch::kInt32;
  if (s == "bool") return torch::kBool;
  throw std::invalid_argument("unknown dtype '" + s + "' (float32, float64, int64, int32, bool)");
}

inline std::string DTypeName(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return "float32";
    case torch::kFloat64: return "float64";
    case torch::kInt64: return "int64";
    case torch::kInt32: return "int32";
    case torch::kBool: return "bool";
    default: return std::string(c10::toString(t));
  }
}

inline Napi::Array Pair(Napi::Env env, const std::tuple<torch::Tensor, torch::Tensor>& r) {
  auto out = Napi::Array::New(env, 2);
  out.Set(0u, Wrap(env, std::get<0>(r)));
  out.Set(1u, Wrap(env, std::get<1>(r)));
  return out;
}

void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterDist(Napi::Env env, Napi::Object exports);  // xlir_dist.cc: c10d collectives

}  // namespace xlir
