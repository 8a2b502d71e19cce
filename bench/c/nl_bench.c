// Baseline for the host round-trip benchmark: the same generic netlink
// requests as bench/src/host.ts, from C over a raw AF_NETLINK socket with the
// same socket options (EXT_ACK, CAP_ACK) and the same flags (NLM_F_ACK on
// do-requests). Built by the benchmark with gcc -O2; never committed as a binary.
//
//   nl_bench MS   prints {"seq1":..,"inflight64":..,"dump":..} in operations/s
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

static int fd;
static uint32_t seq_next = 1;
static unsigned char rbuf[1 << 16];

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

struct req {
  struct nlmsghdr n;
  struct genlmsghdr g;
  unsigned char attrs[32];
};

/* CTRL_CMD_GETFAMILY for "nlctrl"; dump=1: all families. Returns the length. */
static size_t build(struct req *r, uint32_t seq, int dump) {
  memset(r, 0, sizeof(*r));
  size_t len = NLMSG_HDRLEN + GENL_HDRLEN;
  if (!dump) {
    struct nlattr *a = (struct nlattr *)r->attrs;
    a->nla_type = CTRL_ATTR_FAMILY_NAME;
    a->nla_len = NLA_HDRLEN + sizeof("nlctrl");
    memcpy((char *)a + NLA_HDRLEN, "nlctrl", sizeof("nlctrl"));
    len += NLA_ALIGN(a->nla_len);
  }
  r->n.nlmsg_len = len;
  r->n.nlmsg_type = GENL_ID_CTRL;
  r->n.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
  r->n.nlmsg_seq = seq;
  r->g.cmd = CTRL_CMD_GETFAMILY;
  r->g.version = 2;
  return len;
}

/* Sends `n` do-requests in one sendmsg. */
static void send_reqs(int n) {
  static struct req reqs[64];
  struct iovec iov[64];
  for (int i = 0; i < n; i++) {
    iov[i].iov_len = build(&reqs[i], seq_next++, 0);
    iov[i].iov_base = &reqs[i];
  }
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  struct msghdr m = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = iov, .msg_iovlen = n};
  if (sendmsg(fd, &m, 0) < 0) die("sendmsg");
}

/* Reads one datagram; returns how many requests it completed (ACKs / errors / DONE). */
static int recv_some(int *done_dump) {
  ssize_t got = recv(fd, rbuf, sizeof(rbuf), 0);
  if (got < 0) die("recv");
  int completed = 0;
  for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)got);
       h = NLMSG_NEXT(h, got)) {
    if (h->nlmsg_type == NLMSG_ERROR) {
      struct nlmsgerr *e = NLMSG_DATA(h);
      if (e->error) {
        errno = -e->error;
        die("netlink error");
      }
      completed++;
    } else if (h->nlmsg_type == NLMSG_DONE) {
      if (done_dump) *done_dump = 1;
    }
  }
  return completed;
}

static double seq1(double ms) {
  long n = 0;
  double t0 = now_ms(), t1 = t0;
  while (t1 - t0 < ms) {
    send_reqs(1);
    while (recv_some(NULL) == 0) {
    }
    n++;
    if ((n & 63) == 0) t1 = now_ms();
  }
  return n * 1000.0 / (now_ms() - t0);
}

static double inflight(double ms, int window) {
  long n = 0;
  int outstanding = window;
  double t0 = now_ms();
  double end = t0 + ms;
  send_reqs(window);
  while (outstanding > 0) {
    int c = recv_some(NULL);
    n += c;
    outstanding -= c;
    if (c > 0 && now_ms() < end) {
      send_reqs(c);
      outstanding += c;
    }
  }
  return n * 1000.0 / (now_ms() - t0);
}

static double dumps(double ms) {
  long n = 0;
  double t0 = now_ms(), t1 = t0;
  struct req r;
  while (t1 - t0 < ms) {
    size_t len = build(&r, seq_next++, 1);
    if (send(fd, &r, len, 0) < 0) die("send");
    int done = 0;
    while (!done) recv_some(&done);
    n++;
    t1 = now_ms();
  }
  return n * 1000.0 / (t1 - t0);
}

int main(int argc, char **argv) {
  double ms = argc > 1 ? atof(argv[1]) : 1000;
  fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  int rcv = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) die("bind");
  seq1(ms / 4); /* warm-up */
  double a = seq1(ms), b = inflight(ms, 64), c = dumps(ms);
  printf("{\"seq1\":%.1f,\"inflight64\":%.1f,\"dump\":%.1f}\n", a, b, c);
  close(fd);
  return 0;
}
