{
  "targets": [
    {
      "target_name": "proc_daemon_notify",
      "sources": ["native/notify.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
