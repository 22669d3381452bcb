{
  "targets": [
    {
      "target_name": "xlir_torch",
      "sources": ["xlir_torch.cc", "xlir_optim.cc", "xlir_dist.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node libtorch-flags.cjs include)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-Wno-unused-parameter", "<!@(node libtorch-flags.cjs cflags)"],
      "libraries": ["<!@(node libtorch-flags.cjs libraries)"]
    }
  ]
}
