/**
 * The daemons `lanctl serve <name>` can run, each from its own package's main. Adding a service
 * is one line here (and one in `start/services.ts` for the all-in-one start).
 */
export const SERVICE_MAINS: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> =
  {
    mdb: () => import('@lanctl/mdb/main'),
    udb: () => import('@lanctl/udb/main'),
    passwd: () => import('@lanctl/passwd/main'),
    rootssh: () => import('@lanctl/rootssh/main'),
    relay: () => import('@lanctl/relay/main'), // also `lanctl serve sync` (serve.ts)
    dhcp: () => import('@lanctl/dhcp/main'),
    dns: () => import('@lanctl/dns/main'),
    tftp: () => import('@lanctl/tftp/main'),
    confgen: () => import('@lanctl/confgen/main'),
    netboot: () => import('@lanctl/netboot/main'),
    presence: () => import('@lanctl/presence/main'),
    presenced: () => import('@lanctl/presenced/main'),
    sso: () => import('@lanctl/sso/main'),
    firewall: () => import('@lanctl/firewall/main'),
  };
