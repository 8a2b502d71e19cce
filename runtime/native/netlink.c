/*
 * AF_NETLINK sockets for Node.js, as a small N-API addon.
 *
 * The JS side (runtime/src/socket/native.ts) owns all protocol logic; this
 * file only does what JS cannot: socket/bind/setsockopt/sendmsg, and a
 * non-blocking receive. Datagrams are drained (up to DRAIN_MAX, MSG_DONTWAIT)
 * and handed to JS in ONE callback per drain, so a burst of replies costs one
 * JS transition instead of one per datagram. A drain runs in two places:
 * - right after sendmsg, inside the same send() call: generic netlink runs a
 *   request's handler inside the sender's sendmsg, so when it returns the
 *   reply and the ACK are already queued and are delivered before send()
 *   returns, without waiting for an event-loop wake-up;
 * - on every readable wake-up of the uv_poll handle, for what arrives later
 *   (multicast, upcalls, the rest of a dump, answers of slow handlers).
 * Datagrams are read RECV_BATCH at a time with recvmmsg (no MSG_PEEK probe),
 * straight into a large receive chunk; MSG_TRUNC makes the kernel report
 * each one's full size so a truncation is detected, never silent. Reading
 * fewer than asked means the queue is empty: a request's reply and ACK cost
 * one recvmmsg after the sendmsg, with no extra call to see EAGAIN.
 *
 * What JS gets per drain is the same few objects every time: the chunks the
 * datagrams sit in (an array made once, its entries replaced), and a
 * Uint32Array made once that holds META_STRIDE numbers per datagram (chunk
 * index, offset, length, multicast group, sender port). JS builds its own
 * views from them; no N-API object is created per datagram.
 *
 * Lifetime: the C state is freed only when both the JS wrapper has been
 * finalized and the libuv handle has finished closing, whichever comes last,
 * so neither a GC during a callback nor a close() inside one can free memory
 * still in use.
 */
#define _GNU_SOURCE /* recvmmsg */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Datagrams read per drain; the rest waits for the next loop iteration so
 * a flood on one socket cannot starve other handles. */
#define DRAIN_MAX 64

/* Datagrams are read into large ArrayBuffer chunks and handed to JS as
 * Uint8Array views: one ArrayBuffer allocation per chunk instead of one per
 * datagram. A chunk is never rewritten: the cursor only moves forward and a
 * full chunk is replaced by a new one, so views (and zero-copy values decoded
 * from them) stay valid; the GC frees a chunk when no view is left. */
#define CHUNK_SIZE (1024 * 1024)

/* Datagrams read per recvmmsg. Each gets a RECV_SLOT region of the chunk
 * (the kernel caps dump datagrams at 32 KiB: it sizes them after the largest
 * buffer recvmsg was offered, and we always offer more), and the datagrams
 * are then moved down to sit back to back, so a small reply costs its size,
 * not a slot. */
#define RECV_BATCH 16
#define RECV_SLOT (32 * 1024)

/* A datagram larger than its slot spills into that slot's overflow area (one
 * allocation, made on first use; its pages are only touched when written)
 * and is copied out into an exact-size buffer. A datagram larger than
 * RECV_SLOT + RECV_OVERFLOW (no kernel message comes close) is reported as
 * EMSGSIZE. */
#define RECV_OVERFLOW (1024 * 1024)

/* Per datagram in the meta array: buffer index, offset, length, group, sender port. */
#define META_STRIDE 5

typedef struct {
  napi_env env;
  int fd;
  uv_poll_t poll;
  bool started;       /* start() installed the callback */
  bool paused;        /* pause() stopped reading (backpressure) */
  bool polling;       /* uv_poll_start is in effect */
  bool closing;       /* close() ran: fd closed, handle closing */
  bool handle_closed; /* the libuv close callback ran */
  bool finalized;     /* the JS wrapper was garbage collected */
  napi_ref callback;
  napi_async_context async_ctx;
  napi_ref buffers;    /* the JS array of chunks handed to the callback */
  napi_ref meta;       /* its Uint32Array of META_STRIDE numbers per datagram */
  uint32_t *meta_data; /* the meta array's DRAIN_MAX * META_STRIDE numbers */
  bool delivering;     /* inside the receive callback: a send must not drain (it would overwrite meta) */
  napi_ref chunk;      /* the current receive chunk (an ArrayBuffer), or NULL */
  uint8_t *chunk_data; /* its bytes */
  size_t chunk_size;
  size_t chunk_used; /* bytes handed out so far */
  uint32_t chunk_gen; /* counts chunk replacements */
  uint8_t *overflow; /* RECV_BATCH * RECV_OVERFLOW bytes for oversized datagrams, or NULL */
  /* A read failed with ENOBUFS (or cut a datagram): "the queue is empty" is
   * then only claimed on a read that found it empty (EAGAIN), never on a
   * short recvmmsg, which may also stop at an error with data behind it. */
  bool confirm_empty;
} nl_socket;

/* ---- errors ---------------------------------------------------------- */

/* An Error shaped like Node's system errors: code ('ENOBUFS'), errno
 * (positive, unlike Node's negative uv codes, to match the netlink layer),
 * syscall. */
static napi_value errno_error(napi_env env, const char *syscall, int err) {
  char msg[256];
  const char *name = uv_err_name(-err);
  snprintf(msg, sizeof msg, "%s failed: %s (%s)", syscall, strerror(err), name);
  napi_value code, message, error, num, call;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &call);
  napi_set_named_property(env, error, "syscall", call);
  return error;
}

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_throw(env, errno_error(env, syscall, err));
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

/* ---- argument helpers ------------------------------------------------ */

/* Fetch `this` and up to `max` arguments, and the socket behind `this`. A
 * method called on a foreign object throws instead of crashing. */
static nl_socket *get_self(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, bool need_open,
                           napi_value *self_out) {
  napi_value self;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) {
    throw_type(env, "invalid call");
    return NULL;
  }
  nl_socket *s = NULL;
  if (napi_unwrap(env, self, (void **)&s) != napi_ok || s == NULL) {
    throw_type(env, "receiver is not a NetlinkSocket");
    return NULL;
  }
  if (need_open && s->closing) {
    napi_throw_error(env, "ERR_SOCKET_CLOSED", "netlink socket is closed");
    return NULL;
  }
  if (self_out != NULL) *self_out = self;
  return s;
}

/* A JS number that is an integer in [lo, hi]. */
static bool get_int(napi_env env, napi_value v, int64_t lo, int64_t hi, const char *what, int64_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  char msg[128];
  if (t != napi_number) {
    snprintf(msg, sizeof msg, "%s must be a number", what);
    throw_type(env, msg);
    return false;
  }
  double d;
  napi_get_value_double(env, v, &d);
  if (!(d >= (double)lo && d <= (double)hi) || d != (double)(int64_t)d) {
    snprintf(msg, sizeof msg, "%s must be an integer in [%lld, %lld]", what, (long long)lo, (long long)hi);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return false;
  }
  *out = (int64_t)d;
  return true;
}

/* ---- teardown -------------------------------------------------------- */

static void env_cleanup(void *arg);

static void maybe_free(nl_socket *s) {
  if (s->handle_closed && s->finalized) {
    free(s->overflow);
    free(s);
  }
}

static void on_handle_closed(uv_handle_t *h) {
  nl_socket *s = h->data;
  s->handle_closed = true;
  maybe_free(s);
}

/* Stop reading, close the fd and the handle, drop the JS callback. Safe to
 * call more than once and from inside the receive callback. */
static void do_close(nl_socket *s, bool env_alive) {
  if (s->closing) return;
  s->closing = true;
  /* libuv requires the poll to stop before the fd is closed. */
  uv_poll_stop(&s->poll);
  s->polling = false;
  uv_close((uv_handle_t *)&s->poll, on_handle_closed);
  close(s->fd);
  s->fd = -1;
  if (env_alive) {
    if (s->chunk != NULL) napi_delete_reference(s->env, s->chunk);
    if (s->buffers != NULL) napi_delete_reference(s->env, s->buffers);
    if (s->meta != NULL) napi_delete_reference(s->env, s->meta);
    if (s->callback != NULL) napi_delete_reference(s->env, s->callback);
    if (s->async_ctx != NULL) napi_async_destroy(s->env, s->async_ctx);
    napi_remove_env_cleanup_hook(s->env, env_cleanup, s);
  }
  s->callback = NULL;
  s->async_ctx = NULL;
  s->chunk = NULL;
  s->buffers = NULL;
  s->meta = NULL;
  s->meta_data = NULL;
}

/* The environment is going away (worker exit, process teardown). */
static void env_cleanup(void *arg) {
  nl_socket *s = arg;
  if (s->closing) return;
  /* The env is still usable inside cleanup hooks, but this hook is being
   * consumed, so do_close must not try to remove it. */
  if (s->chunk != NULL) napi_delete_reference(s->env, s->chunk);
  if (s->buffers != NULL) napi_delete_reference(s->env, s->buffers);
  if (s->meta != NULL) napi_delete_reference(s->env, s->meta);
  if (s->callback != NULL) napi_delete_reference(s->env, s->callback);
  if (s->async_ctx != NULL) napi_async_destroy(s->env, s->async_ctx);
  s->chunk = NULL;
  s->buffers = NULL;
  s->meta = NULL;
  s->meta_data = NULL;
  s->callback = NULL;
  s->async_ctx = NULL;
  do_close(s, false);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  nl_socket *s = data;
  do_close(s, true);
  s->finalized = true;
  maybe_free(s);
}

/* ---- receive --------------------------------------------------------- */

/* Make sure the current chunk has room for a batch (a chunk JS detached is
 * replaced too). Returns false when out of memory. */
static bool ensure_chunk(nl_socket *s, napi_env env, napi_value *ab) {
  *ab = NULL;
  bool detached = false;
  if (s->chunk != NULL) {
    napi_get_reference_value(env, s->chunk, ab);
    if (*ab == NULL || napi_is_detached_arraybuffer(env, *ab, &detached) != napi_ok) detached = true;
  }
  if (s->chunk != NULL && !detached && s->chunk_size - s->chunk_used >= (size_t)RECV_BATCH * RECV_SLOT)
    return true;
  void *d = NULL;
  if (napi_create_arraybuffer(env, CHUNK_SIZE, &d, ab) != napi_ok) return false;
  if (s->chunk != NULL) napi_delete_reference(env, s->chunk);
  if (napi_create_reference(env, *ab, 1, &s->chunk) != napi_ok) {
    s->chunk = NULL;
    return false;
  }
  s->chunk_data = d;
  s->chunk_size = CHUNK_SIZE;
  s->chunk_used = 0;
  s->chunk_gen++;
  return true;
}

/* What one drain collects for JS. */
typedef struct {
  napi_value buffers; /* the JS array of buffers the datagrams sit in */
  uint32_t nbuf;      /* entries of `buffers` set in this drain */
  int32_t chunk_at;   /* index of the current chunk in `buffers`, or -1 */
  uint32_t *meta;     /* META_STRIDE numbers per datagram */
  uint32_t n;         /* datagrams recorded */
  bool truncated;     /* a datagram was larger than everything offered (dropped) */
} batch;

/* The index of `ab` in the batch's buffers, adding it. */
static bool add_buffer(napi_env env, batch *out, napi_value ab, uint32_t *index) {
  if (napi_set_element(env, out->buffers, out->nbuf, ab) != napi_ok) return false;
  *index = out->nbuf++;
  return true;
}

/* Read up to `want` (<= RECV_BATCH) datagrams with one recvmmsg and append
 * them to `out`. Returns how many recvmmsg read (0: the queue is empty), or
 * -errno. Reading fewer than `want` means the queue was found empty, or an
 * error is pending that the next call returns. */
static int recv_batch(nl_socket *s, napi_env env, batch *out, uint32_t want) {
  napi_value ab;
  uint32_t before = s->chunk_gen;
  if (!ensure_chunk(s, env, &ab)) return -ENOMEM;
  if (s->chunk_gen != before) out->chunk_at = -1; /* a new chunk: it gets its own index */
  if (s->overflow == NULL) {
    s->overflow = malloc((size_t)RECV_BATCH * RECV_OVERFLOW);
    if (s->overflow == NULL) return -ENOMEM;
  }
  struct mmsghdr mm[RECV_BATCH];
  struct iovec iov[RECV_BATCH][2];
  struct sockaddr_nl from[RECV_BATCH];
  char cbuf[RECV_BATCH][CMSG_SPACE(sizeof(struct nl_pktinfo))];
  const size_t base = s->chunk_used;
  memset(mm, 0, sizeof mm[0] * want);
  for (uint32_t i = 0; i < want; i++) {
    iov[i][0].iov_base = s->chunk_data + base + (size_t)i * RECV_SLOT;
    iov[i][0].iov_len = RECV_SLOT;
    iov[i][1].iov_base = s->overflow + (size_t)i * RECV_OVERFLOW;
    iov[i][1].iov_len = RECV_OVERFLOW;
    struct msghdr *m = &mm[i].msg_hdr;
    memset(&from[i], 0, sizeof from[i]);
    m->msg_name = &from[i];
    m->msg_namelen = sizeof from[i];
    m->msg_iov = iov[i];
    m->msg_iovlen = 2;
    m->msg_control = cbuf[i];
    m->msg_controllen = sizeof cbuf[i];
  }
  int got;
  do {
    /* MSG_TRUNC: each msg_len is the datagram's real length even when it did not fit. */
    got = recvmmsg(s->fd, mm, want, MSG_DONTWAIT | MSG_TRUNC, NULL);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;

  size_t dest = base;
  for (int i = 0; i < got; i++) {
    size_t size = mm[i].msg_len;
    uint8_t *at = s->chunk_data + base + (size_t)i * RECV_SLOT;
    if ((mm[i].msg_hdr.msg_flags & MSG_TRUNC) || size > (size_t)RECV_SLOT + RECV_OVERFLOW) {
      out->truncated = true;
      continue;
    }
    uint32_t *md = out->meta + (size_t)out->n * META_STRIDE;
    if (size <= RECV_SLOT) {
      if (out->chunk_at < 0) {
        uint32_t index;
        if (!add_buffer(env, out, ab, &index)) return -ENOMEM;
        out->chunk_at = (int32_t)index;
      }
      /* Back to back: dest never passes `at`, and later slots are untouched. */
      if (s->chunk_data + dest != at) memmove(s->chunk_data + dest, at, size);
      md[0] = (uint32_t)out->chunk_at;
      md[1] = (uint32_t)dest;
      /* Keep datagrams 8-byte aligned (DataView reads do not need it, but it is free). */
      dest += (size + 7) & ~(size_t)7;
    } else {
      /* Spilled into its overflow area: copy it out whole into its own buffer (rare). */
      void *d = NULL;
      napi_value big;
      if (napi_create_arraybuffer(env, size, &d, &big) != napi_ok) return -ENOMEM;
      memcpy(d, at, RECV_SLOT);
      memcpy((uint8_t *)d + RECV_SLOT, s->overflow + (size_t)i * RECV_OVERFLOW, size - RECV_SLOT);
      if (!add_buffer(env, out, big, &md[0])) return -ENOMEM;
      md[1] = 0;
    }
    md[2] = (uint32_t)size;
    uint32_t group = 0;
    struct msghdr *m = &mm[i].msg_hdr;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
      if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_PKTINFO) {
        struct nl_pktinfo info;
        memcpy(&info, CMSG_DATA(c), sizeof info);
        group = info.group;
      }
    }
    md[3] = group;
    md[4] = from[i].nl_pid;
    out->n++;
  }
  s->chunk_used = dest > s->chunk_size ? s->chunk_size : dest;
  return got;
}

/* Make the buffers array and the meta array (once; again if JS detached meta's buffer). */
static bool ensure_meta(nl_socket *s, napi_env env) {
  if (s->meta != NULL) {
    napi_value ta, ab;
    bool detached = true;
    if (napi_get_reference_value(env, s->meta, &ta) == napi_ok && ta != NULL &&
        napi_get_typedarray_info(env, ta, NULL, NULL, NULL, &ab, NULL) == napi_ok)
      napi_is_detached_arraybuffer(env, ab, &detached);
    if (!detached) return true;
    napi_delete_reference(env, s->meta);
    s->meta = NULL;
    s->meta_data = NULL;
  }
  if (s->buffers == NULL) {
    napi_value arr;
    if (napi_create_array_with_length(env, 1, &arr) != napi_ok) return false;
    if (napi_create_reference(env, arr, 1, &s->buffers) != napi_ok) {
      s->buffers = NULL;
      return false;
    }
  }
  void *d = NULL;
  napi_value ab, ta;
  if (napi_create_arraybuffer(env, (size_t)DRAIN_MAX * META_STRIDE * 4, &d, &ab) != napi_ok) return false;
  if (napi_create_typedarray(env, napi_uint32_array, (size_t)DRAIN_MAX * META_STRIDE, ab, 0, &ta) != napi_ok)
    return false;
  if (napi_create_reference(env, ta, 1, &s->meta) != napi_ok) {
    s->meta = NULL;
    return false;
  }
  s->meta_data = d;
  return true;
}

/* Read what is queued (up to DRAIN_MAX datagrams) and hand it to JS in one
 * callback. `poll_status` is the uv_poll status (< 0: POLLERR) or 0 when the
 * drain follows a send. `sync`: called from inside a JS call (send), so the
 * callback is a plain call and an exception it throws propagates to the
 * caller. Returns false when the socket must stay stopped (fatal error). */
static bool drain(nl_socket *s, napi_env env, int poll_status, bool sync) {
  if (!ensure_meta(s, env)) return true; /* out of memory: the next wake-up tries again */
  batch b = {NULL, 0, -1, s->meta_data, 0, false};
  napi_value err;
  napi_get_reference_value(env, s->buffers, &b.buffers);
  napi_get_null(env, &err);
  bool failed = false;
  bool drained = false;
  uint32_t reads = 0;
  while (reads < DRAIN_MAX) {
    uint32_t want = DRAIN_MAX - reads < RECV_BATCH ? DRAIN_MAX - reads : RECV_BATCH;
    int r = recv_batch(s, env, &b, want);
    if (r < 0) {
      err = errno_error(env, "recvmsg", -r);
      failed = true;
      if (r == -ENOBUFS) s->confirm_empty = true;
      /* ENOBUFS (the kernel dropped messages) is reported once, ahead of the
       * datagrams still queued; keep reading so JS learns when the queue is
       * empty: only then does the kernel deliver to this socket again, and
       * everything owed to it by then that did not arrive was lost. */
      if (r == -ENOBUFS) continue;
      break;
    }
    reads += (uint32_t)r;
    if (b.truncated) s->confirm_empty = true;
    /* Fewer than asked: the queue is empty, or an error is pending that the
     * next read reports before the datagrams behind it. That matters only
     * after an overflow (JS counts lost answers once the queue is empty), so
     * then an empty queue is confirmed by a read that finds nothing. */
    if (r == 0) {
      drained = true;
      s->confirm_empty = false;
      break;
    }
    if ((uint32_t)r < want && !s->confirm_empty) {
      drained = true;
      break;
    }
  }
  if (b.truncated && !failed) {
    /* The oversized datagram was consumed; the ones after it were read. */
    err = errno_error(env, "recvmsg", EMSGSIZE);
    failed = true;
  }
  bool fatal = false;
  if (poll_status < 0 && !failed && b.n == 0) {
    /* POLLERR with nothing to read and no socket error: the fd is unusable;
     * report it and stay stopped instead of spinning. */
    err = errno_error(env, "poll", -poll_status);
    failed = true;
    fatal = true;
  }
  if (b.n == 0 && !failed) return true;

  napi_value cb, recv, empty, count, meta, result;
  napi_get_boolean(env, drained, &empty);
  napi_create_uint32(env, b.n, &count);
  napi_get_reference_value(env, s->meta, &meta);
  napi_value argv[5] = {err, b.buffers, meta, count, empty};
  napi_get_reference_value(env, s->callback, &cb);
  napi_get_global(env, &recv);
  /* While the callback reads meta, a send it makes must not drain (that
   * would overwrite meta); the microtasks run after it (when the callback
   * scope closes) may. */
  s->delivering = true;
  if (sync) {
    napi_call_function(env, recv, cb, 5, argv, &result);
    s->delivering = false;
  } else {
    napi_callback_scope scope = NULL;
    bool opened = napi_open_callback_scope(env, recv, s->async_ctx, &scope) == napi_ok;
    napi_call_function(env, recv, cb, 5, argv, &result);
    s->delivering = false;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      /* A throwing handler is a bug in JS land: route it to 'uncaughtException'
       * rather than leaving it pending for an unrelated later call. */
      napi_value ex;
      napi_get_and_clear_last_exception(env, &ex);
      napi_fatal_exception(env, ex);
    }
    if (opened) napi_close_callback_scope(env, scope);
  }
  /* Buffers past the first (a chunk replaced mid-drain, an oversized
   * datagram) are not kept alive by the array until the next such drain. */
  napi_value undef;
  napi_get_undefined(env, &undef);
  for (uint32_t i = 1; i < b.nbuf; i++) napi_set_element(env, b.buffers, i, undef);
  return !fatal;
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  nl_socket *s = h->data;
  if (s->closing || !s->started) return;
  /* On POLLERR (e.g. the receive buffer overflowed) libuv has already stopped
   * the handle; the recv below collects the pending error, then we restart. */
  if (status < 0) s->polling = false;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  bool ok = drain(s, env, status, false);
  napi_close_handle_scope(env, scope);
  if (!s->closing && !s->paused && !s->polling && ok) {
    if (uv_poll_start(&s->poll, UV_READABLE, on_readable) == 0) s->polling = true;
  }
}

/* ---- methods --------------------------------------------------------- */

static napi_value js_new(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self, target;
  napi_get_new_target(env, info, &target);
  if (target == NULL) return throw_type(env, "NetlinkSocket must be called with new");
  napi_get_cb_info(env, info, &argc, argv, &self, NULL);
  if (argc < 1) return throw_type(env, "protocol must be a number");
  int64_t proto;
  if (!get_int(env, argv[0], 0, 31, "protocol", &proto)) return NULL;

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, (int)proto);
  if (fd < 0) return throw_errno(env, "socket", errno);

  nl_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  s->env = env;
  s->fd = fd;
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  int r = uv_poll_init(loop, &s->poll, fd);
  if (r != 0) {
    close(fd);
    free(s);
    return throw_errno(env, "uv_poll_init", -r);
  }
  s->poll.data = s;
  /* Idle sockets must not keep the process alive; JS refs while it waits. */
  uv_unref((uv_handle_t *)&s->poll);
  if (napi_wrap(env, self, s, finalize, NULL, NULL) != napi_ok) {
    /* Unreachable in practice; free through the handle's close path. */
    s->finalized = true;
    do_close(s, false);
    return throw_type(env, "cannot wrap NetlinkSocket");
  }
  napi_add_env_cleanup_hook(env, env_cleanup, s);
  return self;
}

/* bind(groups = 0): bind with port id 0 so the kernel assigns one; returns it. */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  nl_socket *s = get_self(env, info, &argc, argv, true, NULL);
  if (s == NULL) return NULL;
  int64_t groups = 0;
  if (argc >= 1 && !get_int(env, argv[0], 0, UINT32_MAX, "groups", &groups)) return NULL;
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = (uint32_t)groups;
  if (bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0) return throw_errno(env, "bind", errno);
  socklen_t len = sizeof sa;
  if (getsockname(s->fd, (struct sockaddr *)&sa, &len) < 0) return throw_errno(env, "getsockname", errno);
  napi_value out;
  napi_create_uint32(env, sa.nl_pid, &out);
  return out;
}

/* setOption(level, name, value): setsockopt with an int value. */
static napi_value js_set_option(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  nl_socket *s = get_self(env, info, &argc, argv, true, NULL);
  if (s == NULL) return NULL;
  if (argc < 3) return throw_type(env, "setOption(level, name, value) needs three numbers");
  int64_t level, name, value;
  if (!get_int(env, argv[0], 0, INT32_MAX, "level", &level)) return NULL;
  if (!get_int(env, argv[1], 0, INT32_MAX, "name", &name)) return NULL;
  if (!get_int(env, argv[2], INT32_MIN, UINT32_MAX, "value", &value)) return NULL;
  int v = (int)(uint32_t)value;
  if (setsockopt(s->fd, (int)level, (int)name, &v, sizeof v) < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* getOption(level, name): getsockopt of an int value. */
static napi_value js_get_option(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  nl_socket *s = get_self(env, info, &argc, argv, true, NULL);
  if (s == NULL) return NULL;
  if (argc < 2) return throw_type(env, "getOption(level, name) needs two numbers");
  int64_t level, name;
  if (!get_int(env, argv[0], 0, INT32_MAX, "level", &level)) return NULL;
  if (!get_int(env, argv[1], 0, INT32_MAX, "name", &name)) return NULL;
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(s->fd, (int)level, (int)name, &v, &len) < 0) return throw_errno(env, "getsockopt", errno);
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

/* send(bytes | bytes[], drain = true): one sendmsg to the kernel (port 0). Several
 * Uint8Arrays are gathered with an iovec, so a batch of messages costs one
 * syscall and no JS-side concatenation; the kernel processes every message
 * of the datagram. Then, when `drain` and reading is started and not paused, what the
 * kernel queued meanwhile (the answers: generic netlink answers inside
 * sendmsg) is drained and handed to the receive callback before send()
 * returns. Returns the bytes sent. */
#define SEND_IOV_MAX 1024
static bool typed_bytes(napi_env env, napi_value v, struct iovec *iov) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return false;
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL);
  if (type != napi_uint8_array) return false;
  iov->iov_base = data;
  iov->iov_len = length;
  return true;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  nl_socket *s = get_self(env, info, &argc, argv, true, NULL);
  if (s == NULL) return NULL;
  if (argc < 1) return throw_type(env, "send(bytes) needs a Uint8Array or an array of them");
  bool want_drain = true;
  if (argc >= 2) {
    napi_valuetype t;
    napi_typeof(env, argv[1], &t);
    if (t != napi_undefined && (t != napi_boolean || napi_get_value_bool(env, argv[1], &want_drain) != napi_ok))
      return throw_type(env, "send(bytes, drain): drain must be a boolean");
  }
  struct iovec one;
  struct iovec *iov = &one;
  uint32_t count = 1;
  bool is_array = false;
  napi_is_array(env, argv[0], &is_array);
  if (is_array) {
    napi_get_array_length(env, argv[0], &count);
    if (count == 0 || count > SEND_IOV_MAX) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "send() takes 1 to 1024 buffers");
      return NULL;
    }
    iov = calloc(count, sizeof *iov);
    if (iov == NULL) return throw_errno(env, "calloc", ENOMEM);
    for (uint32_t i = 0; i < count; i++) {
      napi_value el;
      napi_get_element(env, argv[0], i, &el);
      if (!typed_bytes(env, el, &iov[i])) {
        free(iov);
        return throw_type(env, "send(bytes[]) needs Uint8Arrays");
      }
    }
  } else if (!typed_bytes(env, argv[0], &one)) {
    return throw_type(env, "send(bytes) needs a Uint8Array or an array of them");
  }

  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &kernel;
  msg.msg_namelen = sizeof kernel;
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  ssize_t n;
  do {
    n = sendmsg(s->fd, &msg, 0);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  if (iov != &one) free(iov);
  if (n < 0) return throw_errno(env, "sendmsg", err);
  /* A drain delivers to JS only after its reads, so a send from the receive
   * callback (or from the microtasks run after it) may drain again; JS
   * passes drain = false when it must not be called back re-entrantly. */
  if (want_drain && s->started && !s->paused && !s->closing && !s->delivering) {
    drain(s, env, 0, true);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) return NULL;
  }
  napi_value out;
  napi_create_int64(env, (int64_t)n, &out);
  return out;
}

/* start(cb): begin reading. cb(err | null, buffers: ArrayBuffer[], meta:
 * Uint32Array, count: number, drained: boolean): datagram i (i < count) is
 * bytes [meta[5i+1], meta[5i+1] + meta[5i+2]) of buffers[meta[5i]], sent by
 * port meta[5i+4] to multicast group meta[5i+3] (0 = unicast); drained says
 * the receive queue was found empty. `buffers` and `meta` are the same
 * objects on every call and are rewritten by the next one; the bytes of a
 * datagram are never rewritten. */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  nl_socket *s = get_self(env, info, &argc, argv, true, &self);
  if (s == NULL) return NULL;
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t != napi_function) return throw_type(env, "start(callback) needs a function");
  if (s->started) {
    napi_throw_error(env, "ERR_SOCKET_STARTED", "netlink socket is already started");
    return NULL;
  }
  napi_value name;
  napi_create_string_utf8(env, "ynl:netlink", NAPI_AUTO_LENGTH, &name);
  if (napi_async_init(env, self, name, &s->async_ctx) != napi_ok) return throw_type(env, "napi_async_init failed");
  napi_create_reference(env, argv[0], 1, &s->callback);
  s->started = true;
  if (!s->paused) {
    int r = uv_poll_start(&s->poll, UV_READABLE, on_readable);
    if (r != 0) return throw_errno(env, "uv_poll_start", -r);
    s->polling = true;
  }
  return NULL;
}

/* pause(): stop reading (the kernel then holds data, which is backpressure
 * for dumps). resume() undoes it. */
static napi_value js_pause(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  nl_socket *s = get_self(env, info, &argc, NULL, true, NULL);
  if (s == NULL) return NULL;
  s->paused = true;
  if (s->polling) uv_poll_stop(&s->poll);
  s->polling = false;
  return NULL;
}

static napi_value js_resume(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  nl_socket *s = get_self(env, info, &argc, NULL, true, NULL);
  if (s == NULL) return NULL;
  s->paused = false;
  if (s->started && !s->polling) {
    int r = uv_poll_start(&s->poll, UV_READABLE, on_readable);
    if (r != 0) return throw_errno(env, "uv_poll_start", -r);
    s->polling = true;
  }
  return NULL;
}

/* ref()/unref(): whether the socket keeps the event loop alive. */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  nl_socket *s = get_self(env, info, &argc, NULL, false, NULL);
  if (s == NULL) return NULL;
  if (!s->closing) uv_ref((uv_handle_t *)&s->poll);
  return NULL;
}

static napi_value js_unref(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  nl_socket *s = get_self(env, info, &argc, NULL, false, NULL);
  if (s == NULL) return NULL;
  if (!s->closing) uv_unref((uv_handle_t *)&s->poll);
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  nl_socket *s = get_self(env, info, &argc, NULL, false, NULL);
  if (s == NULL) return NULL;
  do_close(s, true);
  return NULL;
}

static napi_value js_fd(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  nl_socket *s = get_self(env, info, &argc, NULL, false, NULL);
  if (s == NULL) return NULL;
  napi_value out;
  napi_create_int32(env, s->fd, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"bind", NULL, js_bind, NULL, NULL, NULL, napi_default_method, NULL},
      {"setOption", NULL, js_set_option, NULL, NULL, NULL, napi_default_method, NULL},
      {"getOption", NULL, js_get_option, NULL, NULL, NULL, napi_default_method, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default_method, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default_method, NULL},
      {"pause", NULL, js_pause, NULL, NULL, NULL, napi_default_method, NULL},
      {"resume", NULL, js_resume, NULL, NULL, NULL, napi_default_method, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_default_method, NULL},
      {"unref", NULL, js_unref, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default_method, NULL},
      {"fd", NULL, NULL, js_fd, NULL, NULL, napi_default_jsproperty, NULL},
  };
  napi_value cls;
  napi_define_class(env, "NetlinkSocket", NAPI_AUTO_LENGTH, js_new, NULL, sizeof methods / sizeof methods[0], methods,
                    &cls);
  napi_set_named_property(env, exports, "NetlinkSocket", cls);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
