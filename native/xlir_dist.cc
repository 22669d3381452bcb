// Data-parallel collectives on libtorch's own distributed engine (c10d): a TCPStore for the
// rendezvous (rank 0 serves it) and a ProcessGroupGloo for the collectives. Nothing here opens a
// socket itself; every byte between ranks goes through c10d and gloo.
//
// Tensors are exchanged in buckets: the tensors of one call are grouped by dtype (first-appearance
// order, identical on every rank), each group flattened into one contiguous buffer, one collective
// per buffer, the results copied back. One allreduce of P floats instead of one per parameter.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <sstream>

#include "xlir_torch.h"

namespace xlir {

namespace {

struct DistBox {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  int rank = 0;
  int size = 1;
  int64_t timeoutMs = 0;
};

const napi_type_tag kDistTag = {0x5d1e7c0a9b3f4e21ULL, 0x8a6b4c2d1e0f3a59ULL};

DistBox& D(const Napi::Value& v) {
  if (!v.IsExternal()) throw std::invalid_argument("expected a process-group handle");
  auto ext = v.As<Napi::External<DistBox>>();
  if (!ext.CheckTypeTag(&kDistTag)) throw std::invalid_argument("expected a process-group handle");
  if (!ext.Data()->pg) throw std::invalid_argument("process group was already destroyed");
  return *ext.Data();
}

std::string Seconds(int64_t ms) {
  std::ostringstream o;
  o << ms / 1000.0 << " s";
  return o.str();
}

std::string ErrorText(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

// Runs one collective to completion; a gloo failure (peer closed the connection, I/O timeout)
// becomes one std::runtime_error naming the operation, this rank and the timeout.
void Collective(DistBox& d, const char* what, const std::function<c10::intrusive_ptr<c10d::Work>()>& start) {
  try {
    auto work = start();
    work->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("distributed ") + what + " failed on rank " + std::to_string(d.rank) + " of " +
                             std::to_string(d.size) + " (a peer process died, hung or exceeded the " +
                             Seconds(d.timeoutMs) + " timeout): " + ErrorText(e));
  }
}

// Groups tensors by dtype, first-appearance order: (dtype, indices into ts).
std::vector<std::pair<torch::ScalarType, std::vector<size_t>>> ByDtype(const std::vector<torch::Tensor>& ts) {
  std::vector<std::pair<torch::ScalarType, std::vector<size_t>>> groups;
  for (size_t i = 0; i < ts.size(); i++) {
    auto st = ts[i].scalar_type();
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == st; });
    if (it == groups.end()) groups.push_back({st, {i}});
    else it->second.push_back(i);
  }
  return groups;
}

c10d::ReduceOp Op(const std::string& s) {
  if (s == "sum" || s == "avg") return c10d::ReduceOp::SUM;  // gloo has no AVG: sum, then divide
  if (s == "min") return c10d::ReduceOp::MIN;
  if (s == "max") return c10d::ReduceOp::MAX;
  throw std::invalid_argument("unknown reduction '" + s + "' (sum, avg, min, max)");
}

// Copies bucket[off, off + t.numel()) back into t (same dtype, t's shape).
void Unflatten(const torch::Tensor& bucket, std::vector<torch::Tensor>& ts, const std::vector<size_t>& idx) {
  int64_t off = 0;
  for (size_t i : idx) {
    auto n = ts[i].numel();
    ts[i].copy_(bucket.narrow(0, off, n).view(ts[i].sizes()));
    off += n;
  }
}

torch::Tensor Flatten(const std::vector<torch::Tensor>& ts, const std::vector<size_t>& idx) {
  std::vector<torch::Tensor> parts;
  parts.reserve(idx.size());
  for (size_t i : idx) parts.push_back(ts[i].detach().reshape(-1));
  return torch::cat(parts, 0);
}

}  // namespace

// ({rank, worldSize, masterAddr, masterPort, timeoutMs, rendezvousTimeoutMs?}) -> process-group handle.
// Rank 0 starts the TCPStore server on masterAddr:masterPort; every rank then joins gloo's full
// mesh through the store. Blocks until all worldSize ranks are there or rendezvousTimeoutMs
// (default timeoutMs) has passed; timeoutMs bounds every later collective.
XLIR_FN(distInit) {
  auto env = info.Env();
  auto o = info[0].As<Napi::Object>();
  int rank = static_cast<int>(I64(o.Get("rank")));
  int size = static_cast<int>(I64(o.Get("worldSize")));
  std::string addr = o.Get("masterAddr").As<Napi::String>().Utf8Value();
  int64_t port = I64(o.Get("masterPort"));
  int64_t timeoutMs = I64(o.Get("timeoutMs"));
  int64_t rdvMs = o.Get("rendezvousTimeoutMs").IsNumber() ? I64(o.Get("rendezvousTimeoutMs")) : timeoutMs;
  if (size < 1) throw std::invalid_argument("worldSize must be at least 1");
  if (rank < 0 || rank >= size) throw std::invalid_argument("rank " + std::to_string(rank) + " is outside 0.." + std::to_string(size - 1));
  if (port < 1 || port > 65535) throw std::invalid_argument("masterPort " + std::to_string(port) + " is outside 1..65535");
  if (timeoutMs < 1 || rdvMs < 1) throw std::invalid_argument("timeouts must be positive");
  auto timeout = std::chrono::milliseconds(timeoutMs);
  auto box = std::make_unique<DistBox>();
  box->rank = rank;
  box->size = size;
  box->timeoutMs = timeoutMs;
  std::string stage = "rendezvous (TCPStore at " + addr + ":" + std::to_string(port) + ")";
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(port);
    so.isServer = rank == 0;
    so.numWorkers = static_cast<std::size_t>(size);
    so.waitWorkers = true;
    so.timeout = std::chrono::milliseconds(rdvMs);
    box->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
    stage = "gloo set-up";
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    // Loopback stays on loopback; otherwise GLOO_SOCKET_IFNAME names the interface, as in PyTorch,
    // or the host name's address is used.
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (addr == "127.0.0.1" || addr == "localhost" || addr == "::1")
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr == "localhost" ? "127.0.0.1" : addr));
    else if (ifname && *ifname)
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    opts->threads = 2;
    box->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(box->store, rank, size, opts);
  } catch (const std::exception& e) {
    throw std::runtime_error("distributed " + stage + " failed on rank " + std::to_string(rank) + " of " + std::to_string(size) +
                             " within " + Seconds(stage == "gloo set-up" ? timeoutMs : rdvMs) + ": " + ErrorText(e));
  }
  auto ext = Napi::External<DistBox>::New(env, box.release(), [](Napi::Env, DistBox* p) { delete p; });
  ext.TypeTag(&kDistTag);
  return ext;
}

// (pg, tensors, op = "sum" | "avg" | "min" | "max") -> in place on every tensor, identical on every rank.
XLIR_FN(distAllreduce) {
  auto& d = D(info[0]);
  auto ts = Tensors(info[1]);
  std::string op = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "sum";
  auto rop = Op(op);
  torch::NoGradGuard g;
  for (auto& [dtype, idx] : ByDtype(ts)) {
    std::vector<at::Tensor> bucket{Flatten(ts, idx)};
    c10d::AllreduceOptions ao;
    ao.reduceOp = rop;
    Collective(d, "allreduce", [&] { return d.pg->allreduce(bucket, ao); });
    if (op == "avg") bucket[0].div_(d.size);
    Unflatten(bucket[0], ts, idx);
  }
  return info.Env().Undefined();
}

// (pg, params, average = true) -> how many parameters have a gradient afterwards.
// The gradients of `params` summed (average: then divided by the world size) over the ranks, in
// one bucket per dtype. A parameter without a gradient on a rank counts as a zero gradient there;
// one that has a gradient on no rank keeps none (so AdamW skips it, as in a single process). The
// bucket carries one count per parameter (ranks holding a gradient) for that decision.
XLIR_FN(distAllreduceGrads) {
  auto& d = D(info[0]);
  auto params = Tensors(info[1]);
  bool average = Bool(info[2], true);
  torch::NoGradGuard g;
  int64_t withGrad = 0;
  for (auto& [dtype, idx] : ByDtype(params)) {
    std::vector<torch::Tensor> parts;
    parts.reserve(idx.size() + 1);
    std::vector<double> flags(idx.size(), 0.0);
    for (size_t k = 0; k < idx.size(); k++) {
      auto& p = params[idx[k]];
      const auto& gr = p.grad();
      if (gr.defined()) {
        if (!gr.sizes().equals(p.sizes())) throw std::invalid_argument("a gradient's shape differs from its parameter's");
        parts.push_back(gr.reshape(-1).to(dtype));
        flags[k] = 1;
      } else {
        parts.push_back(torch::zeros({p.numel()}, torch::TensorOptions().dtype(dtype)));
      }
    }
    parts.push_back(torch::tensor(flags, torch::TensorOptions().dtype(torch::kFloat64)).to(dtype));
    std::vector<at::Tensor> bucket{torch::cat(parts, 0)};
    Collective(d, "gradient allreduce", [&] { return d.pg->allreduce(bucket); });
    auto& b = bucket[0];
    int64_t total = b.numel();
    auto counts = b.narrow(0, total - static_cast<int64_t>(idx.size()), static_cast<int64_t>(idx.size())).to(torch::kFloat64).contiguous();
    const double* count = counts.data_ptr<double>();
    if (average) b.narrow(0, 0, total - static_cast<int64_t>(idx.size())).div_(d.size);
    int64_t off = 0;
    for (size_t k = 0; k < idx.size(); k++) {
      auto& p = params[idx[k]];
      auto n = p.numel();
      if (count[k] > 0) {
        auto src = b.narrow(0, off, n).view(p.sizes());
        if (p.grad().defined()) p.mutable_grad().copy_(src);
        else p.mutable_grad() = src.clone();
        withGrad++;
      }
      off += n;
    }
  }
  return Napi::Number::New(info.Env(), static_cast<double>(withGrad));
}

// (pg, tensors, root = 0) -> every rank's tensors overwritten in place by root's.
XLIR_FN(distBroadcast) {
  auto& d = D(info[0]);
  auto ts = Tensors(info[1]);
  int64_t root = info[2].IsNumber() ? I64(info[2]) : 0;
  if (root < 0 || root >= d.size) throw std::invalid_argument("broadcast root " + std::to_string(root) + " is not a rank");
  torch::NoGradGuard g;
  for (auto& [dtype, idx] : ByDtype(ts)) {
    std::vector<at::Tensor> bucket{Flatten(ts, idx)};
    c10d::BroadcastOptions bo;
    bo.rootRank = root;
    Collective(d, "broadcast", [&] { return d.pg->broadcast(bucket, bo); });
    Unflatten(bucket[0], ts, idx);
  }
  return info.Env().Undefined();
}

XLIR_FN(distBarrier) {
  auto& d = D(info[0]);
  Collective(d, "barrier", [&] { return d.pg->barrier(); });
  return info.Env().Undefined();
}

// Releases the process group, then the store (rank 0: stops the TCPStore server).
XLIR_FN(distDestroy) {
  if (!info[0].IsExternal()) throw std::invalid_argument("expected a process-group handle");
  auto ext = info[0].As<Napi::External<DistBox>>();
  if (!ext.CheckTypeTag(&kDistTag)) throw std::invalid_argument("expected a process-group handle");
  ext.Data()->pg.reset();
  ext.Data()->store.reset();
  return info.Env().Undefined();
}

void RegisterDist(Napi::Env env, Napi::Object exports) {
#define REG(name) exports.Set(#name, Napi::Function::New(env, name, #name));
  REG(distInit) REG(distAllreduce) REG(distAllreduceGrads) REG(distBroadcast) REG(distBarrier) REG(distDestroy)
#undef REG
}

}  // namespace xlir
