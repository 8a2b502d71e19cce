{
  "targets": [
    {
      "target_name": "ynl_netlink",
      "sources": ["native/netlink.c"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
