// AdamW behind a handle: parameter groups, learning rate set per step, and the per-parameter state
// (step, exp_avg, exp_avg_sq, max_exp_avg_sq) read out and written back for checkpoints. The state is
// kept here, by parameter position, not in libtorch's optimizer internals (whose keys and classes
// changed between libtorch 1.13 and 2.x). Same update as torch.optim.AdamW (decoupled weight decay):
//   p *= 1 - lr*wd; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
//   p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps),   bc1 = 1 - b1^t, bc2 = 1 - b2^t
// (amsgrad: vmax = max(vmax, v) replaces v in the denominator).
// Three implementations of that update:
//   fused   one pass over memory per contiguous float CPU parameter (the others as foreach/ops);
//   foreach libtorch's multi-tensor ops over all parameters of a group (few kernel launches: GPUs);
//   ops     ~8 tensor ops per parameter, the sequence of torch::optim::AdamW (the reference).
#include <map>

#include "xlir_torch.h"

namespace xlir {

namespace {

struct ParamState {
  int64_t step = 0;
  torch::Tensor exp_avg, exp_avg_sq, max_exp_avg_sq;
};

struct Group {
  std::vector<torch::Tensor> params;
  std::vector<ParamState> state;  // parallel to params; exp_avg undefined before the first update
  double lr, weight_decay;
};

struct AdamW {
  std::vector<Group> groups;
  double beta1, beta2, eps;
  bool amsgrad;
};

struct OptBox {
  std::unique_ptr<AdamW> opt;
};

const napi_type_tag kOptimTag = {0x3b8d5e1f7a2c4e90ULL, 0x1d2e3f405162738aULL};

AdamW& O(const Napi::Value& v) {
  if (!v.IsExternal()) throw std::invalid_argument("expected an optimizer handle");
  auto ext = v.As<Napi::External<OptBox>>();
  if (!ext.CheckTypeTag(&kOptimTag)) throw std::invalid_argument("expected an optimizer handle");
  if (!ext.Data()->opt) throw std::invalid_argument("optimizer was already freed");
  return *ext.Data()->opt;
}

double Num(const Napi::Object& o, const char* key, double dflt) {
  auto v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}

// Every (parameter, state) pair, groups in order.
std::vector<std::pair<torch::Tensor*, ParamState*>> AllParams(AdamW& opt) {
  std::vector<std::pair<torch::Tensor*, ParamState*>> out;
  for (auto& g : opt.groups)
    for (size_t i = 0; i < g.params.size(); i++) out.emplace_back(&g.params[i], &g.state[i]);
  return out;
}

}  // namespace

// (groups: [{params, lr, weightDecay}], {beta1, beta2, eps, amsgrad}) -> optimizer handle
XLIR_FN(adamwNew) {
  auto env = info.Env();
  auto groups = info[0].As<Napi::Array>();
  auto o = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  auto opt = std::make_unique<AdamW>();
  opt->beta1 = Num(o, "beta1", 0.9);
  opt->beta2 = Num(o, "beta2", 0.999);
  opt->eps = Num(o, "eps", 1e-8);
  opt->amsgrad = Bool(o.Get("amsgrad"), false);
  for (uint32_t i = 0; i < groups.Length(); i++) {
    auto g = groups.Get(i).As<Napi::Object>();
    Group grp;
    grp.params = Tensors(g.Get("params"));
    grp.state.resize(grp.params.size());
    grp.lr = Num(g, "lr", 1e-3);
    grp.weight_decay = Num(g, "weightDecay", 0.01);
    opt->groups.push_back(std::move(grp));
  }
  auto* box = new OptBox{std::move(opt)};
  auto ext = Napi::External<OptBox>::New(env, box, [](Napi::Env, OptBox* p) { delete p; });
  ext.TypeTag(&kOptimTag);
  return ext;
}

// One pass over memory per parameter instead of ~8 tensor ops (same formula, same state).
template <typename T>
static void FusedKernel(T* p, const T* g, T* m, T* v, int64_t n, double lr, double wd, double b1, double b2, double eps,
                        double bc1, double bc2) {
  const T decay = static_cast<T>(1 - lr * wd), B1 = static_cast<T>(b1), B2 = static_cast<T>(b2);
  const T C1 = static_cast<T>(1 - b1), C2 = static_cast<T>(1 - b2), E = static_cast<T>(eps);
  const T inv_sqrt_bc2 = static_cast<T>(1 / std::sqrt(bc2)), step = static_cast<T>(lr / bc1);
  at::parallel_for(0, n, 32768, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      const T gi = g[i];
      const T mi = m[i] * B1 + gi * C1;
      const T vi = v[i] * B2 + gi * gi * C2;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * decay - step * mi / (std::sqrt(vi) * inv_sqrt_bc2 + E);
    }
  });
}

static bool FusedOk(const AdamW& opt, const torch::Tensor& p, const torch::Tensor& grad, const ParamState& st) {
  auto dt = p.scalar_type();
  return !opt.amsgrad && p.device().is_cpu() && grad.device().is_cpu() && p.is_contiguous() &&
         (dt == torch::kFloat32 || dt == torch::kFloat64) && grad.scalar_type() == dt &&
         st.exp_avg.is_contiguous() && st.exp_avg_sq.is_contiguous() && st.exp_avg.scalar_type() == dt &&
         st.exp_avg_sq.scalar_type() == dt;
}

// The reference sequence of ops for one parameter (that of torch::optim::AdamW::step).
static void OpsUpdate(const AdamW& opt, const Group& g, torch::Tensor& p, const torch::Tensor& grad, ParamState& st) {
  double b1 = opt.beta1, b2 = opt.beta2;
  double bc1 = 1 - std::pow(b1, st.step), bc2 = 1 - std::pow(b2, st.step);
  p.mul_(1 - g.lr * g.weight_decay);
  st.exp_avg.mul_(b1).add_(grad, 1 - b1);
  st.exp_avg_sq.mul_(b2).addcmul_(grad, grad, 1 - b2);
  torch::Tensor denom;
  if (opt.amsgrad) {
    torch::max_out(st.max_exp_avg_sq, st.exp_avg_sq, st.max_exp_avg_sq);
    denom = (st.max_exp_avg_sq.sqrt() / std::sqrt(bc2)).add_(opt.eps);
  } else {
    denom = (st.exp_avg_sq.sqrt() / std::sqrt(bc2)).add_(opt.eps);
  }
  p.addcdiv_(st.exp_avg, denom, -g.lr / bc1);
}

// The same update with multi-tensor ops over parameters that share a step count (bias corrections).
static void ForeachUpdate(const AdamW& opt, const Group& g, int64_t step, std::vector<torch::Tensor>& ps,
                          std::vector<torch::Tensor>& grads, std::vector<torch::Tensor>& ms, std::vector<torch::Tensor>& vs) {
  double b1 = opt.beta1, b2 = opt.beta2;
  double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
  at::_foreach_mul_(ps, 1 - g.lr * g.weight_decay);
  at::_foreach_mul_(ms, b1);
  at::_foreach_add_(ms, grads, 1 - b1);
  at::_foreach_mul_(vs, b2);
  at::_foreach_addcmul_(vs, grads, grads, 1 - b2);
  auto denom = at::_foreach_sqrt(vs);
  at::_foreach_div_(denom, std::sqrt(bc2));
  at::_foreach_add_(denom, opt.eps);
  at::_foreach_addcdiv_(ps, ms, denom, -g.lr / bc1);
}

enum class Mode { Fused, Foreach, Ops };

static void Step(AdamW& opt, Mode mode) {
  for (auto& g : opt.groups) {
    // foreach batches, keyed by step count (normally one)
    std::map<int64_t, std::array<std::vector<torch::Tensor>, 4>> batches;
    for (size_t i = 0; i < g.params.size(); i++) {
      auto& p = g.params[i];
      if (!p.grad().defined()) continue;
      auto grad = p.grad().contiguous();
      auto& st = g.state[i];
      if (!st.exp_avg.defined()) {
        st.step = 0;
        st.exp_avg = torch::zeros_like(p, torch::MemoryFormat::Contiguous);
        st.exp_avg_sq = torch::zeros_like(p, torch::MemoryFormat::Contiguous);
        if (opt.amsgrad) st.max_exp_avg_sq = torch::zeros_like(p, torch::MemoryFormat::Contiguous);
      }
      st.step += 1;
      if (mode == Mode::Fused && FusedOk(opt, p, grad, st)) {
        double bc1 = 1 - std::pow(opt.beta1, st.step), bc2 = 1 - std::pow(opt.beta2, st.step);
        if (p.scalar_type() == torch::kFloat32)
          FusedKernel<float>(p.data_ptr<float>(), grad.data_ptr<float>(), st.exp_avg.data_ptr<float>(),
                             st.exp_avg_sq.data_ptr<float>(), p.numel(), g.lr, g.weight_decay, opt.beta1, opt.beta2,
                             opt.eps, bc1, bc2);
        else
          FusedKernel<double>(p.data_ptr<double>(), grad.data_ptr<double>(), st.exp_avg.data_ptr<double>(),
                              st.exp_avg_sq.data_ptr<double>(), p.numel(), g.lr, g.weight_decay, opt.beta1, opt.beta2,
                              opt.eps, bc1, bc2);
        continue;
      }
      // foreach: chosen, or fused asked for a parameter off the CPU
      bool foreach = !opt.amsgrad && (mode == Mode::Foreach || (mode == Mode::Fused && !p.device().is_cpu()));
      if (foreach) {
        auto& b = batches[st.step];
        b[0].push_back(p);
        b[1].push_back(grad);
        b[2].push_back(st.exp_avg);
        b[3].push_back(st.exp_avg_sq);
        continue;
      }
      OpsUpdate(opt, g, p, grad, st);
    }
    for (auto& [step, b] : batches) ForeachUpdate(opt, g, step, b[0], b[1], b[2], b[3]);
  }
}

XLIR_FN(adamwStep) {  // (opt, mode = "fused" | "foreach" | "ops"; a boolean: true fused, false ops)
  torch::NoGradGuard g;
  Mode mode = Mode::Fused;
  if (info[1].IsString()) {
    std::string s = info[1].As<Napi::String>().Utf8Value();
    if (s == "foreach") mode = Mode::Foreach;
    else if (s == "ops") mode = Mode::Ops;
    else if (s != "fused") throw std::invalid_argument("unknown AdamW mode '" + s + "' (fused, foreach, ops)");
  } else if (!Bool(info[1], true)) {
    mode = Mode::Ops;
  }
  Step(O(info[0]), mode);
  return info.Env().Undefined();
}

XLIR_FN(adamwZeroGrad) {  // set_to_none semantics
  for (auto& ps : AllParams(O(info[0]))) ps.first->mutable_grad().reset();
  return info.Env().Undefined();
}

XLIR_FN(adamwSetLr) {  // (opt, lr, group?) — group omitted: every group
  auto& opt = O(info[0]);
  double lr = Dbl(info[1]);
  for (size_t i = 0; i < opt.groups.size(); i++) {
    if (info[2].IsNumber() && static_cast<int64_t>(i) != I64(info[2])) continue;
    opt.groups[i].lr = lr;
  }
  return info.Env().Undefined();
}

XLIR_FN(adamwGetLr) {
  auto& gs = O(info[0]).groups;
  size_t i = info[1].IsNumber() ? static_cast<size_t>(I64(info[1])) : 0;
  if (i >= gs.size()) throw std::out_of_range("no parameter group " + std::to_string(i));
  return Napi::Number::New(info.Env(), gs[i].lr);
}

// -> one entry per parameter (groups in order): null before the first step, else
//    {step, expAvg, expAvgSq, maxExpAvgSq?} with copies of the state tensors (on the parameter's device).
XLIR_FN(adamwGetState) {
  auto env = info.Env();
  auto params = AllParams(O(info[0]));
  auto out = Napi::Array::New(env, params.size());
  for (size_t i = 0; i < params.size(); i++) {
    auto& st = *params[i].second;
    if (!st.exp_avg.defined()) {
      out.Set(static_cast<uint32_t>(i), env.Null());
      continue;
    }
    auto o = Napi::Object::New(env);
    o.Set("step", Napi::Number::New(env, static_cast<double>(st.step)));
    o.Set("expAvg", Wrap(env, st.exp_avg.clone()));
    o.Set("expAvgSq", Wrap(env, st.exp_avg_sq.clone()));
    if (st.max_exp_avg_sq.defined()) o.Set("maxExpAvgSq", Wrap(env, st.max_exp_avg_sq.clone()));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

XLIR_FN(adamwSetState) {  // (opt, entries as returned by adamwGetState); copied to each parameter's device and dtype
  auto& opt = O(info[0]);
  auto params = AllParams(opt);
  auto arr = info[1].As<Napi::Array>();
  if (arr.Length() != params.size())
    throw std::invalid_argument("optimizer state has " + std::to_string(arr.Length()) + " entries, the optimizer " +
                                std::to_string(params.size()) + " parameters");
  std::vector<ParamState> next(params.size());
  for (size_t i = 0; i < params.size(); i++) {
    auto v = arr.Get(static_cast<uint32_t>(i));
    if (v.IsNull() || v.IsUndefined()) continue;
    auto& p = *params[i].first;
    auto o = v.As<Napi::Object>();
    auto ea = T(o.Get("expAvg")), eq = T(o.Get("expAvgSq"));
    if (!ea.sizes().equals(p.sizes()) || !eq.sizes().equals(p.sizes()))
      throw std::invalid_argument("optimizer state " + std::to_string(i) + " does not match its parameter's shape");
    auto like = p.options().requires_grad(false);
    auto& st = next[i];
    st.step = I64(o.Get("step"));
    st.exp_avg = ea.detach().to(like, false, true).contiguous();
    st.exp_avg_sq = eq.detach().to(like, false, true).contiguous();
    auto m = o.Get("maxExpAvgSq");
    if (!m.IsUndefined() && !m.IsNull()) st.max_exp_avg_sq = T(m).detach().to(like, false, true).contiguous();
    else if (opt.amsgrad) st.max_exp_avg_sq = st.exp_avg_sq.clone();
  }
  for (size_t i = 0; i < params.size(); i++) *params[i].second = std::move(next[i]);
  return info.Env().Undefined();
}

XLIR_FN(adamwFree) {
  if (!info[0].IsExternal()) throw std::invalid_argument("expected an optimizer handle");
  auto ext = info[0].As<Napi::External<OptBox>>();
  if (!ext.CheckTypeTag(&kOptimTag)) throw std::invalid_argument("expected an optimizer handle");
  ext.Data()->opt.reset();
  return info.Env().Undefined();
}

void RegisterOptim(Napi::Env env, Napi::Object exports) {
#define REG(name) exports.Set(#name, Napi::Function::New(env, name, #name));
  REG(adamwNew) REG(adamwStep) REG(adamwZeroGrad) REG(adamwSetLr) REG(adamwGetLr) REG(adamwGetState)
  REG(adamwSetState) REG(adamwFree)
#undef REG
}

}  // namespace xlir
