/*
 * One unix datagram, sent synchronously: what sd_notify(3) needs and Node does
 * not have (node:net has stream sockets only, node:dgram has UDP only).
 *
 *   send(address: string, message: Buffer): number   -- 0, or the errno of the failure
 *
 * `address` is NOTIFY_SOCKET as systemd sets it: an absolute path, or "@name"
 * for a name in Linux's abstract namespace. The abstract address is
 * sun_path[0] = '\0' followed by the name, and its length counts exactly the
 * name's bytes (no trailing NUL: the NUL would be part of the name). A path's
 * length includes its terminating NUL, and must fit sun_path with it.
 *
 * A socket per message, as libsystemd's sd_notify does: nothing stays open
 * across a fork or an exec. MSG_DONTWAIT: a receiver whose queue is full costs
 * a message (EAGAIN), never a blocked event loop. MSG_NOSIGNAL: no SIGPIPE.
 *
 * Node-API only (node_api.h), so that one build loads on every Node line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <node_api.h>

#define SUN_PATH_SIZE sizeof(((struct sockaddr_un *)0)->sun_path)

/* Fills `sa` for `address` (`length` bytes); returns the address length, or -errno. */
static int unix_address(struct sockaddr_un *sa, const char *address, size_t length) {
  memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  if (length < 2) return -EINVAL;
  if (address[0] == '@') {
    size_t name = length - 1;
    if (1 + name > SUN_PATH_SIZE) return -ENAMETOOLONG;
    sa->sun_path[0] = '\0';
    memcpy(sa->sun_path + 1, address + 1, name);
    return (int)(offsetof(struct sockaddr_un, sun_path) + 1 + name);
  }
  if (address[0] != '/') return -EINVAL;
  if (memchr(address, '\0', length) != NULL) return -EINVAL;
  if (length + 1 > SUN_PATH_SIZE) return -ENAMETOOLONG;
  memcpy(sa->sun_path, address, length);
  return (int)(offsetof(struct sockaddr_un, sun_path) + length + 1);
}

static int send_datagram(const char *address, size_t length, const void *data, size_t size) {
  struct sockaddr_un sa;
  int salen = unix_address(&sa, address, length);
  if (salen < 0) return -salen;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  ssize_t sent = sendto(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa, (socklen_t)salen);
  int err = sent < 0 ? errno : ((size_t)sent != size ? EMSGSIZE : 0);
  close(fd);
  return err;
}

static napi_value errno_value(napi_env env, int err) {
  napi_value out;
  napi_create_int32(env, err, &out);
  return out;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "send(address: string, message: Buffer)");
    return NULL;
  }
  /* One byte more than any valid address, so that a longer one is seen as too long, not cut. */
  char address[SUN_PATH_SIZE + 2];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "send: the address must be a string");
    return NULL;
  }
  if (length >= sizeof(address)) return errno_value(env, ENAMETOOLONG);
  napi_get_value_string_utf8(env, argv[0], address, sizeof(address), &length);
  bool is_buffer = false;
  napi_is_buffer(env, argv[1], &is_buffer);
  if (!is_buffer) {
    napi_throw_type_error(env, NULL, "send: the message must be a Buffer");
    return NULL;
  }
  void *data = NULL;
  size_t size = 0;
  napi_get_buffer_info(env, argv[1], &data, &size);
  return errno_value(env, send_datagram(address, length, data, size));
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "send", NAPI_AUTO_LENGTH, js_send, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "send", fn) != napi_ok) return NULL;
  return exports;
}
