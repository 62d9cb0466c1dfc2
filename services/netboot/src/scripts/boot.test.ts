import { type BootProfile, DEFAULT_BOOT_PROFILES, type Machine } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainTo, FILE_TIMEOUT_MS } from '../ipxe.ts';
import { type BootContext, type BootDecision, decideBoot } from './boot.ts';
import { checkScript } from './check-script.testing.ts';

const T = '2026-11-22T00:00:00.000Z';
const MAC = '52:54:00:12:34:56';

const machine = (over: Partial<Machine> = {}): Machine => ({
  hostname: 'pas-r01p01',
  aliases: [],
  ip: '192.168.0.101',
  mac: MAC,
  rfs: 0,
  hfs: 0,
  mtype: 'user',
  room: 'pasteur',
  is_faulty: false,
  is_faulty_details: '',
  uuid: null,
  boot_profile: null,
  created_at: T,
  updated_at: T,
  ...over,
});

const profile = (over: Partial<BootProfile> & Pick<BootProfile, 'name' | 'kind'>): BootProfile => ({
  description: '',
  kernel: '',
  initrds: [],
  cmdline: '',
  mtypes: [],
  rooms: [],
  created_at: T,
  updated_at: T,
  ...over,
});

/** mdb's seeded profiles (contestant over NFS for user/orga, local disk for service), plus http. */
const PROFILES: BootProfile[] = [
  ...DEFAULT_BOOT_PROFILES.map((p) => ({ ...p, created_at: T, updated_at: T })),
  profile({
    name: 'installer',
    kind: 'http',
    kernel: 'http://mirror.prolo/debian/linux',
    initrds: ['http://mirror.prolo/debian/initrd.gz', 'http://mirror.prolo/firmware.cpio.gz'],
    cmdline: 'auto=true priority=critical',
    mtypes: ['install'],
  }),
  profile({
    name: 'memtest',
    kind: 'http',
    kernel: 'http://mirror.prolo/memtest.efi',
    rooms: ['lab'],
  }),
];

const ctx = (over: Partial<BootContext> = {}): BootContext => ({
  base: 'http://netboot',
  banner: 'lanctl netboot',
  profiles: PROFILES,
  rfsAddress: (n) => (n === 0 ? '192.168.1.10' : n === 1 ? '192.168.1.11' : null),
  nfsExport: '/export/nfsroot,ro',
  delays: { faultySeconds: 60, retrySeconds: 30, fileRetrySeconds: 5 },
  ...over,
});

/** Decides, checks the script (see checkScript) and returns the decision with its lines. */
function decide(
  m: Machine | undefined,
  c: BootContext = ctx(),
): BootDecision & { lines: string[] } {
  const d = decideBoot(c, MAC, m);
  return { ...d, lines: checkScript(d.script) };
}

const echoed = (lines: readonly string[]) =>
  lines
    .filter((l) => /^echo( |$)/.test(l))
    .map((l) => l.replace(/^echo ?/, ''))
    .join(' ');

describe('decideBoot', () => {
  it('boots an rfs profile from the RFS files, with nfsroot and initrd= arguments', () => {
    const d = decide(machine({ rfs: 1 }));
    expect(d).toMatchObject({ outcome: 'boot', profile: 'contestant' });
    expect(d.detail).toBe('profile contestant: vmlinuz-linux');
    const files = 'http://netboot/files/rfs1';
    expect(d.lines).toContain(
      `kernel --timeout ${FILE_TIMEOUT_MS} ${files}/vmlinuz-linux initrd=initramfs-linux.img nfsroot=192.168.1.11:/export/nfsroot,ro root=/dev/nfs ip=\${ip}:\${next-server}:\${gateway}:\${netmask}:\${hostname}.prolo:eth0:none nosplash rootdelay=0 || goto lanctl_kernel_failed`,
    );
    expect(d.lines).toContain(
      `initrd --timeout ${FILE_TIMEOUT_MS} ${files}/initramfs-linux.img || goto lanctl_initrd_0_failed`,
    );
    const order = [
      'imgfree',
      ':lanctl_kernel',
      ':lanctl_initrd_0',
      'boot || goto lanctl_boot_failed',
    ];
    expect(order.map((l) => d.lines.indexOf(l))).toEqual(
      [...order.map((l) => d.lines.indexOf(l))].sort((a, b) => a - b),
    );
    expect(echoed(d.lines)).toContain(`pas-r01p01 (${MAC}): profile contestant.`);
  });

  it('retries a failed fetch after the per-MAC jittered delay, then the same step', () => {
    const d = decide(machine());
    const at = d.lines.indexOf(':lanctl_initrd_0_failed');
    const wait = /^sleep (\d+)$/.exec(d.lines[at + 2] ?? '')?.[1];
    expect(Number(wait)).toBeGreaterThanOrEqual(5);
    expect(Number(wait)).toBeLessThan(10);
    expect(d.lines[at + 1]).toBe(
      `echo Could not load the initrd initramfs-linux.img; trying again in ${wait} s.`,
    );
    expect(d.lines[at + 3]).toBe('goto lanctl_initrd_0');
    expect(d.lines.slice(-4)[0]).toBe(':lanctl_failed');
    expect(d.lines).toContain(chainTo(`http://netboot/boot/${MAC}/`));
  });

  it('boots an http profile from its own URLs, every initrd named, no nfsroot', () => {
    const d = decide(machine({ mtype: 'install' }));
    expect(d).toMatchObject({ outcome: 'boot', profile: 'installer' });
    expect(d.lines).toContain(
      `kernel --timeout ${FILE_TIMEOUT_MS} http://mirror.prolo/debian/linux initrd=initrd.gz initrd=firmware.cpio.gz auto=true priority=critical || goto lanctl_kernel_failed`,
    );
    expect(d.lines).toContain(
      `initrd --timeout ${FILE_TIMEOUT_MS} http://mirror.prolo/firmware.cpio.gz || goto lanctl_initrd_1_failed`,
    );
    expect(d.script).not.toContain('nfsroot');
  });

  it('boots a bare kernel (no initrd, no command line) with nothing after its URL', () => {
    const d = decide(machine({ boot_profile: 'memtest' }));
    expect(d).toMatchObject({ outcome: 'boot', profile: 'memtest' });
    expect(d.lines).toContain(
      `kernel --timeout ${FILE_TIMEOUT_MS} http://mirror.prolo/memtest.efi || goto lanctl_kernel_failed`,
    );
    expect(d.lines.some((l) => l.startsWith('initrd '))).toBe(false);
  });

  it('boots the local disk: exit to the firmware on UEFI, sanboot on BIOS', () => {
    const d = decide(machine({ mtype: 'service' }));
    expect(d).toMatchObject({ outcome: 'local', profile: 'local-disk', detail: 'local disk' });
    expect(d.lines.slice(-2)).toEqual([
      'iseq ${platform} efi && exit ||',
      'sanboot --no-describe --drive 0x80 || exit',
    ]);
  });

  it('shows a faulty reason inert, then asks again after faulty_seconds', () => {
    const reason = 'PSU dead || reboot && shell ${root} #x "q" `id` \\ $(id)\nchain http://evil/';
    const d = decide(machine({ is_faulty: true, is_faulty_details: reason }));
    expect(d).toMatchObject({ outcome: 'faulty', profile: null, detail: `faulty: ${reason}` });
    const shown = d.lines.filter((l) => /^echo( |$)/.test(l));
    for (const l of shown) expect(l.slice(4)).not.toMatch(/[$|&#"`\\]/);
    expect(echoed(d.lines)).toContain(
      'PSU dead ?? reboot ?? shell ?{root} ?x ?q? ?id? ? ?(id) chain http://evil/',
    );
    expect(d.lines.filter((l) => l.startsWith('chain '))).toEqual([
      chainTo(`http://netboot/boot/${MAC}/`),
      chainTo(`http://netboot/boot/${MAC}/`),
    ]);
    expect(d.script).toContain('--timeout 60000');
  });

  it('says "no reason given" for a fault without details', () => {
    const d = decide(machine({ is_faulty: true }));
    expect(d.detail).toBe('faulty: no reason given');
    expect(echoed(d.lines)).toContain('no reason given');
  });

  it('sends an unknown MAC to the registration menu', () => {
    const d = decide(undefined);
    expect(d).toMatchObject({ outcome: 'unknown', profile: null });
    expect(d.lines).toContain(
      chainTo('http://netboot/register/menu?mac=52%3A54%3A00%3A12%3A34%3A56'),
    );
    expect(echoed(d.lines)).toContain(`This machine (${MAC}) is not registered.`);
  });

  it('names a missing RFS and asks again after retry_seconds', () => {
    const d = decide(machine({ rfs: 3 }));
    expect(d).toMatchObject({ outcome: 'no-rfs', profile: 'contestant' });
    expect(d.detail).toBe(`No such RFS: rfs3 (for pas-r01p01 (${MAC})).`);
    expect(echoed(d.lines)).toContain('No such RFS: rfs3');
    expect(d.script).toContain('--timeout 30000');
    expect(d.script).not.toMatch(/^kernel /m);
  });

  it("names a machine's boot profile that does not exist", () => {
    const d = decide(machine({ boot_profile: 'rescue' }));
    expect(d).toMatchObject({ outcome: 'no-profile', profile: null });
    expect(d.detail).toContain('rescue');
    expect(echoed(d.lines)).toMatch(/its boot profile rescue does not exist/);
  });

  it('says when no profile applies to the type and room', () => {
    const d = decide(machine({ mtype: 'camera', room: 'hall' }));
    expect(d).toMatchObject({ outcome: 'no-profile', profile: null });
    expect(echoed(d.lines)).toContain('no boot profile applies to type camera in room hall.');
    expect(decide(machine(), ctx({ profiles: [] })).outcome).toBe('no-profile');
  });

  it('wraps every message under 80 columns, however long the names', () => {
    const long = ctx({ banner: 'x'.repeat(30) });
    const host = `${'h'.repeat(60)}`;
    for (const m of [undefined, machine({ hostname: host, rfs: 9 }), machine({ hostname: host })]) {
      decide(m, long);
    }
  });
});

/**
 * Untrusted text as words: iPXE syntax included, but no word over 20 characters and none led by
 * `-` (the two echo bugs in ipxe.test.ts; widen to fc.string() once they are fixed).
 */
const words = fc
  .array(
    fc.string({
      unit: fc.constantFrom(...'aZ09$|&#"`\\{}();:!-'.split('')),
      maxLength: 20,
      size: 'medium',
    }),
    { maxLength: 12, size: 'medium' },
  )
  .map((w) => w.join(' '));

describe('decideBoot, any machine (500 cases)', () => {
  it('gives a script that holds together and loads every initrd of its profile', () => {
    const initrds = fc.array(fc.constantFrom('a.img', 'b.cpio', 'ucode.img'), { maxLength: 8 });
    const rfsProfile = initrds.map((files) =>
      profile({ name: 'nfs', kind: 'rfs', kernel: 'vmlinuz', initrds: files, mtypes: ['user'] }),
    );
    const arbMachine = fc.record({
      rfs: fc.integer({ min: 0, max: 3 }),
      mtype: fc.constantFrom('user', 'service', 'install', 'camera'),
      room: fc.constantFrom('pasteur', 'lab', 'hall'),
      is_faulty: fc.boolean(),
      is_faulty_details: words,
      boot_profile: fc.constantFrom(null, 'memtest', 'rescue', 'nfs'),
    });
    fc.assert(
      fc.property(
        fc.option(arbMachine, { nil: undefined }),
        fc.subarray(PROFILES),
        rfsProfile,
        (m, profiles, nfs) => {
          const d = decide(m && machine(m), ctx({ profiles: [nfs, ...profiles] }));
          if (d.outcome !== 'boot') return;
          const chosen = [nfs, ...profiles].find((p) => p.name === d.profile);
          expect(d.lines.filter((l) => l.startsWith('initrd '))).toHaveLength(
            chosen?.initrds.length ?? -1,
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('checkScript (the checker itself)', () => {
  it.each([
    ['no signature', 'echo a\n'],
    ['a jump to a missing label (SADM)', '#!ipxe\ngoto nowhere\n'],
    ['a repeated label', '#!ipxe\n:a\n:a\n'],
    ['a chain without fallback', '#!ipxe\nchain http://x/\n'],
    [
      'a choice without its label',
      '#!ipxe\nmenu M\nitem a A\nitem b B\nchoose c\ngoto l_${c}\n:l_a\n',
    ],
    ['a default that is no item', '#!ipxe\nmenu M\nitem a A\nchoose --default z c\n'],
    ['a repeated key', '#!ipxe\nmenu M\nitem --key 1 a A\nitem --key 1 b B\nchoose c\n'],
    ['an echo taken as an option', '#!ipxe\necho -x\n'],
  ])('catches %s', (_, script) => {
    expect(() => checkScript(script)).toThrow();
  });

  it('accepts a menu whose every choice has its label', () => {
    const ok =
      '#!ipxe\nmenu M\nitem --key 1 a A\nitem --gap\nitem b B\nchoose --default a c || goto l_a\ngoto l_${c}\n:l_a\n:l_b\n';
    expect(checkScript(ok)).toHaveLength(8);
  });
});
