// libtorch's AdamW behind a handle: parameter groups, learning rate set per step, and the
// per-parameter state (step, exp_avg, exp_avg_sq) read out and written back for checkpoints.
#include "xlir_torch.h"

namespace xlir {

namespace {

struct OptBox {
  std::unique_ptr<torch::optim::AdamW> opt;
};

const napi_type_tag kOptimTag = {0x3b8d5e1f7a2c4e90ULL, 0x1d2e3f405162738aULL};

torch::optim::AdamW& O(const Napi::Value& v) {
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

std::string Key(const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

std::vector<torch::Tensor> AllParams(torch::optim::AdamW& opt) {
  std::vector<torch::Tensor> out;
  for (auto& g : opt.param_groups())
    for (auto& p : g.params()) out.push_back(p);
  return out;
}

}  // namespace

// (groups: [{params, lr, weightDecay}], {beta1, beta2, eps, amsgrad}) -> optimizer handle
XLIR_FN(adamwNew) {
  auto env = info.Env();
  auto groups = info[0].As<Napi::Array>();
  auto o = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  std::vector<torch::optim::OptimizerParamGroup> pgs;
  for (uint32_t i = 0; i < groups.Length(); i++) {
    auto g = groups.Get(i).As<Napi::Object>();
    auto opts = std::make_unique<torch::optim::AdamWOptions>(Num(g, "lr", 1e-3));
    opts->weight_decay(Num(g, "weightDecay", 0.01));
    opts->betas(std::make_tuple(Num(o, "beta1", 0.9), Num(o, "beta2", 0.999)));
    opts->eps(Num(o, "eps", 1e-8));
    opts->amsgrad(Bool(o.Get("amsgrad"), false));
    pgs.emplace_back(Tensors(g.Get("params")), std::move(opts));
  }
  auto defaults = torch::optim::AdamWOptions(1e-3);
  auto* box = new OptBox{std::make_unique<torch::optim::AdamW>(std::move(pgs), defaults)};
  auto ext = Napi::External<OptBox>::New(env, box, [](Napi::Env, OptBox* p) { delete p; });
  ext.TypeTag(&kOptimTag);
  return ext;
}

// One pass over memory per parameter instead of libtorch's ~8 tensor ops (same formula, same state):
// p *= 1 - lr*wd; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g; p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
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

static void FusedStep(torch::optim::AdamW& opt) {
  for (auto& group : opt.param_groups()) {
    auto& o = static_cast<torch::optim::AdamWOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto grad = p.grad().contiguous();
      auto key = Key(p);
      auto it = opt.state().find(key);
      if (it == opt.state().end()) {
        auto st = std::make_unique<torch::optim::AdamWParamState>();
        st->step(0);
        st->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        st->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        if (o.amsgrad()) st->max_exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        it = opt.state().emplace(key, std::move(st)).first;
      }
      auto& st = static_cast<torch::optim::AdamWParamState&>(*it->second);
      bool fast = !o.amsgrad() && p.is_contiguous() && st.exp_avg().is_contiguous() && st.exp_avg_sq().is_contiguous() &&
                  (p.scalar_type() == torch::kFloat32 || p.scalar_type() == torch::kFloat64) &&
                  grad.scalar_type() == p.scalar_type() && st.exp_avg().scalar_type() == p.scalar_type() &&
                  st.exp_avg_sq().scalar_type() == p.scalar_type();
      st.step(st.step() + 1);
      double b1 = std::get<0>(o.betas()), b2 = std::get<1>(o.betas());
      double bc1 = 1 - std::pow(b1, st.step()), bc2 = 1 - std::pow(b2, st.step());
      if (fast) {
        if (p.scalar_type() == torch::kFloat32)
          FusedKernel<float>(p.data_ptr<float>(), grad.data_ptr<float>(), st.exp_avg().data_ptr<float>(),
                             st.exp_avg_sq().data_ptr<float>(), p.numel(), o.lr(), o.weight_decay(), b1, b2, o.eps(), bc1, bc2);
        else
          FusedKernel<double>(p.data_ptr<double>(), grad.data_ptr<double>(), st.exp_avg().data_ptr<double>(),
                              st.exp_avg_sq().data_ptr<double>(), p.numel(), o.lr(), o.weight_decay(), b1, b2, o.eps(), bc1, bc2);
        continue;
      }
      // general path: libtorch's own sequence of ops
      p.mul_(1 - o.lr() * o.weight_decay());
      st.exp_avg().mul_(b1).add_(grad, 1 - b1);
      st.exp_avg_sq().mul_(b2).addcmul_(grad, grad, 1 - b2);
      torch::Tensor denom;
      if (o.amsgrad()) {
        torch::max_out(st.max_exp_avg_sq(), st.exp_avg_sq(), st.max_exp_avg_sq());
        denom = (st.max_exp_avg_sq().sqrt() / std::sqrt(bc2)).add_(o.eps());
      } else {
        denom = (st.exp_avg_sq().sqrt() / std::sqrt(bc2)).add_(o.eps());
      }
      p.addcdiv_(st.exp_avg(), denom, -o.lr() / bc1);
    }
  }
}

XLIR_FN(adamwStep) {  // (opt, fused = true)
  torch::NoGradGuard g;
  if (Bool(info[1], true)) FusedStep(O(info[0]));
  else O(info[0]).step();
  return info.Env().Undefined();
}

XLIR_FN(adamwZeroGrad) {  // set_to_none semantics
  for (auto& p : AllParams(O(info[0]))) p.mutable_grad().reset();
  return info.Env().Undefined();
}

XLIR_FN(adamwSetLr) {  // (opt, lr, group?) — group omitted: every group
  auto& opt = O(info[0]);
  double lr = Dbl(info[1]);
  auto& gs = opt.param_groups();
  for (size_t i = 0; i < gs.size(); i++) {
    if (info[2].IsNumber() && static_cast<int64_t>(i) != I64(info[2])) continue;
    static_cast<torch::optim::AdamWOptions&>(gs[i].options()).lr(lr);
  }
  return info.Env().Undefined();
}

XLIR_FN(adamwGetLr) {
  auto& gs = O(info[0]).param_groups();
  size_t i = info[1].IsNumber() ? static_cast<size_t>(I64(info[1])) : 0;
  if (i >= gs.size()) throw std::out_of_range("no parameter group " + std::to_string(i));
  return Napi::Number::New(info.Env(), static_cast<torch::optim::AdamWOptions&>(gs[i].options()).lr());
}

// -> one entry per parameter (groups in order): null before the first step, else
//    {step, expAvg, expAvgSq, maxExpAvgSq?} with copies of the state tensors.
XLIR_FN(adamwGetState) {
  auto env = info.Env();
  auto& opt = O(info[0]);
  auto params = AllParams(opt);
  auto out = Napi::Array::New(env, params.size());
  for (size_t i = 0; i < params.size(); i++) {
    auto it = opt.state().find(Key(params[i]));
    if (it == opt.state().end()) {
      out.Set(static_cast<uint32_t>(i), env.Null());
      continue;
    }
    auto& st = static_cast<torch::optim::AdamWParamState&>(*it->second);
    auto o = Napi::Object::New(env);
    o.Set("step", Napi::Number::New(env, static_cast<double>(st.step())));
    o.Set("expAvg", Wrap(env, st.exp_avg().clone()));
    o.Set("expAvgSq", Wrap(env, st.exp_avg_sq().clone()));
    if (st.max_exp_avg_sq().defined()) o.Set("maxExpAvgSq", Wrap(env, st.max_exp_avg_sq().clone()));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

XLIR_FN(adamwSetState) {  // (opt, entries as returned by adamwGetState)
  auto& opt = O(info[0]);
  auto params = AllParams(opt);
  auto arr = info[1].As<Napi::Array>();
  if (arr.Length() != params.size())
    throw std::invalid_argument("optimizer state has " + std::to_string(arr.Length()) + " entries, the optimizer " +
                                std::to_string(params.size()) + " parameters");
  for (size_t i = 0; i < params.size(); i++) {
    auto v = arr.Get(static_cast<uint32_t>(i));
    auto key = Key(params[i]);
    if (v.IsNull() || v.IsUndefined()) {
      opt.state().erase(key);
      continue;
    }
    auto o = v.As<Napi::Object>();
    auto st = std::make_unique<torch::optim::AdamWParamState>();
    st->step(I64(o.Get("step")));
    auto ea = T(o.Get("expAvg")), eq = T(o.Get("expAvgSq"));
    if (!ea.sizes().equals(params[i].sizes()) || !eq.sizes().equals(params[i].sizes()))
      throw std::invalid_argument("optimizer state " + std::to_string(i) + " does not match its parameter's shape");
    st->exp_avg(ea.detach().clone().to(params[i].dtype()));
    st->exp_avg_sq(eq.detach().clone().to(params[i].dtype()));
    auto m = o.Get("maxExpAvgSq");
    if (!m.IsUndefined() && !m.IsNull()) st->max_exp_avg_sq(T(m).detach().clone());
    opt.state()[key] = std::move(st);
  }
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
