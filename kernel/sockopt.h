/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _RSP_SOCKOPT_H
#define _RSP_SOCKOPT_H

int rsp_sockopt_init(void);
void rsp_sockopt_exit(void);

#endif /* _RSP_SOCKOPT_H */
