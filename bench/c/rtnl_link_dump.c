// Baseline for the rtnl benchmark's link dump: RTM_GETLINK dumps from C over
// a raw NETLINK_ROUTE socket with the same socket options as RtnlSocket
// (EXT_ACK, CAP_ACK, GET_STRICT_CHK); it walks the message headers and counts
// the links, decoding no attributes. Built by the benchmark with gcc -O2;
// never committed as a binary.
//
//   rtnl_link_dump MS   prints {"dump":..,"links":..}: dumps/s and links per dump
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

static unsigned char rbuf[1 << 20];

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* One RTM_GETLINK dump; returns the number of RTM_NEWLINK messages. */
static long dump(int fd, unsigned seq) {
  struct {
    struct nlmsghdr n;
    struct ifinfomsg i;
  } r;
  memset(&r, 0, sizeof(r));
  r.n.nlmsg_len = NLMSG_LENGTH(sizeof(r.i));
  r.n.nlmsg_type = RTM_GETLINK;
  r.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  r.n.nlmsg_seq = seq;
  if (send(fd, &r, r.n.nlmsg_len, 0) < 0) die("send");
  long links = 0;
  for (;;) {
    ssize_t got = recv(fd, rbuf, sizeof(rbuf), 0);
    if (got < 0) die("recv");
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)got);
         h = NLMSG_NEXT(h, got)) {
      if (h->nlmsg_type == NLMSG_DONE) return links;
      if (h->nlmsg_type == NLMSG_ERROR) {
        errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
        die("netlink error");
      }
      if (h->nlmsg_type == RTM_NEWLINK) links++;
    }
  }
}

int main(int argc, char **argv) {
  double ms = argc > 1 ? atof(argv[1]) : 1000;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) die("bind");
  unsigned seq = 1;
  long links = dump(fd, seq++); /* warm-up */
  long n = 0;
  double t0 = now_ms(), t1 = t0;
  while (t1 - t0 < ms) {
    links = dump(fd, seq++);
    n++;
    t1 = now_ms();
  }
  printf("{\"dump\":%.1f,\"links\":%ld}\n", n * 1000.0 / (t1 - t0), links);
  close(fd);
  return 0;
}
