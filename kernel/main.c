// SPDX-License-Identifier: GPL-2.0
/*
 * rserpool: Reliable Server Pooling (RFC 5351-5356) handlespace in the
 * kernel, one per network namespace.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "handlespace.h"
#include "netlink.h"
#include "policy.h"
#include "sockopt.h"

unsigned int rsp_net_id __read_mostly;

static int __net_init rsp_net_init(struct net *net)
{
	return rsp_hs_init(rsp_hs(net), net);
}

static void __net_exit rsp_net_exit(struct net *net)
{
	rsp_hs_destroy(rsp_hs(net));
}

static struct pernet_operations rsp_net_ops = {
	.init = rsp_net_init,
	.exit = rsp_net_exit,
	.id   = &rsp_net_id,
	.size = sizeof(struct rsp_hs),
};

static int __init rsp_init(void)
{
	int err;

	rsp_rand_init();
	err = rsp_pe_cache_init();
	if (err)
		return err;
	err = register_pernet_subsys(&rsp_net_ops);
	if (err)
		goto cache;
	err = rsp_nl_init();
	if (err)
		goto pernet;
	err = rsp_sockopt_init();
	if (err)
		goto nl;
	return 0;

nl:
	rsp_nl_exit();
pernet:
	unregister_pernet_subsys(&rsp_net_ops);
cache:
	rsp_pe_cache_exit();
	return err;
}

static void __exit rsp_exit(void)
{
	/* Options first: no call can be in flight once it returns. */
	rsp_sockopt_exit();
	rsp_nl_exit();
	unregister_pernet_subsys(&rsp_net_ops);
	rsp_pe_cache_exit();
}

module_init(rsp_init);
module_exit(rsp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Reliable Server Pooling (RFC 5351) handlespace");
MODULE_ALIAS_GENL_FAMILY(RSP_GENL_NAME);
