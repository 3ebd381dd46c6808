// SPDX-License-Identifier: GPL-2.0
/*
 * librserpool's own checks, on a host without the module: arguments it
 * refuses before the kernel sees them, and the errno an application gets
 * when the module is not loaded.  kselftest harness, TAP output.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "rserpool.h"
#include "kselftest_harness.h"

TEST(handle_checked_before_the_kernel)
{
	struct rsp_so_select sel;
	char big[RSP_HANDLE_MAX + 1];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(big, 'x', sizeof(big));
	EXPECT_EQ(-1, rsp_select(fd, "", 0, &sel));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, rsp_select(fd, big, sizeof(big), &sel));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, rsp_report(fd, NULL, 4, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, rsp_connect(fd, big, sizeof(big), 1, 0, NULL));
	EXPECT_EQ(ENAMETOOLONG, errno);
	close(fd);
}

TEST(not_a_socket)
{
	struct rsp_so_select sel;

	EXPECT_EQ(-1, rsp_select(1000, "echo", 4, &sel));
	EXPECT_EQ(EBADF, errno);
}

TEST(without_the_module)
{
	struct rsp_so_select sel;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	if (!access("/sys/module/rserpool", F_OK))
		SKIP(return, "the module is loaded here");
	EXPECT_EQ(-1, rsp_select(fd, "echo", 4, &sel));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, rsp_sendto(fd, "x", 1, 0, "echo", 4, NULL));
	EXPECT_EQ(ENOPROTOOPT, errno);
	close(fd);
}

TEST_HARNESS_MAIN
