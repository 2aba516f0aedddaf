import { expect } from '@jest/globals';
import { PluginManager } from 'nestjs-plugin-host';
import { PluginAdminModule } from 'nestjs-plugin-host/admin';
import { PLUGIN_REGISTRY } from '../../libs/plugin-host/src/plugin.constants.js';
import type { PluginRegistry } from '../../libs/plugin-host/src/registry/index.js';
import type { DemoHost, LibraryAdminHost } from './demo-host.js';

/** The demo's admin token in these tests (ADMIN_TOKEN). */
export const ADMIN_TOKEN = 'demo-admin-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The demo served with ADMIN_TOKEN (its global pipes answer first), and the library's admin routes alone. */
export interface AdminHosts {
  demo: DemoHost;
  library: LibraryAdminHost;
}

/** One attack on the admin endpoints (PluginAdminModule, mounted at /admin/plugins). The README's attack table lists the same cases. */
export interface AdminCase {
  name: string;
  area: string;
  outcome: string;
  run(hosts: AdminHosts): Promise<void>;
}

type Host = DemoHost | LibraryAdminHost;
const pyodConfig = (host: Host): Record<string, unknown> => ({
  ...(host.app!.get<PluginRegistry>(PLUGIN_REGISTRY).require('pyod').config as object),
});

/**
 * PATCHes pyod's config with `body` (JSON text) on both hosts: a 400 whose message matches `reason` (from
 * the library alone: `PLUGIN_CONFIG_INVALID`), the config unchanged, Object.prototype untouched.
 */
async function expectRefusedPatch({ demo, library }: AdminHosts, body: string, reason: RegExp): Promise<void> {
  for (const host of [demo, library]) {
    const before = pyodConfig(host);
    const response = await host
      .http()
      .patch('/admin/plugins/pyod/config')
      .set(AUTH)
      .set('content-type', 'application/json')
      .send(body);
    expect({ status: response.status, message: String(response.body.message) }).toEqual({
      status: 400,
      message: expect.stringMatching(reason),
    });
    if (host === library) expect(response.body.code).toBe('PLUGIN_CONFIG_INVALID');
    expect(pyodConfig(host)).toEqual(before);
    expect(({} as Record<string, unknown>).contamination).toBeUndefined();
    expect(host.app!.get(PluginManager).info('pyod').state).toBe('enabled');
  }
}

export const SECURITY_CASES: AdminCase[] = [
  {
    name: 'PATCH config with a `__proto__` key',
    area: 'admin PATCH /plugins/:name/config',
    outcome: '400 `PLUGIN_CONFIG_INVALID` naming the key; the config is unchanged, `Object.prototype` untouched',
    async run(hosts) {
      await expectRefusedPatch(hosts, '{"__proto__": {"contamination": 0.4}}', /"__proto__"/);
      await expectRefusedPatch(hosts, '{"contamination": 0.2, "__proto__": {"nEstimators": 5}}', /"__proto__"/);
    },
  },
  {
    name: 'PATCH config with a `constructor` or `prototype` key',
    area: 'admin PATCH /plugins/:name/config',
    outcome: '400 `PLUGIN_CONFIG_INVALID` naming the key; the config is unchanged',
    async run(hosts) {
      await expectRefusedPatch(hosts, '{"constructor": {"prototype": {"contamination": 0.4}}}', /"constructor"/);
      await expectRefusedPatch(hosts, '{"prototype": {"contamination": 0.4}}', /"prototype"/);
    },
  },
  {
    name: 'PATCH config with a key the config schema does not declare',
    area: 'admin PATCH /plugins/:name/config',
    outcome: '400 `PLUGIN_CONFIG_INVALID`: `colour … unknown key (not in the config schema)`; the config is unchanged',
    async run(hosts) {
      await expectRefusedPatch(hosts, '{"contamination": 0.2, "colour": "red"}', /colour = "red" .*unknown key/);
    },
  },
  {
    name: 'PATCH config nested 5 000 levels deep',
    area: 'admin PATCH /plugins/:name/config',
    outcome: '400 saying the body nests deeper than 32 levels; nothing walks it',
    async run(hosts) {
      await expectRefusedPatch(
        hosts,
        `{"contamination":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
        /deeper than 32 levels/,
      );
    },
  },
  {
    name: 'a bearer token with anything before or after it',
    area: 'admin authentication',
    outcome:
      '401 for `Bearer <token> junk`, two spaces, a second scheme, a token prefix or suffix; exactly `Bearer <token>` (scheme in any case) passes',
    async run({ demo, library }) {
      for (const [host, header] of [demo, library].flatMap((h) =>
        [
          `Bearer ${ADMIN_TOKEN} junk`,
          `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}`,
          `Bearer  ${ADMIN_TOKEN}`,
          `Bearer\t${ADMIN_TOKEN}`,
          `Basic Bearer ${ADMIN_TOKEN}`,
          `Bearer ${ADMIN_TOKEN}x`,
          `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
          `Bearer ${ADMIN_TOKEN},Bearer ${ADMIN_TOKEN}`,
          ADMIN_TOKEN,
        ].map((header) => [h, header] as const),
      )) {
        const response = await host.http().post('/admin/plugins/pyod/disable').set('authorization', header);
        expect([header, response.status]).toEqual([header, 401]);
        expect(host.app!.get(PluginManager).info('pyod').state).toBe('enabled');
      }
      await demo.http().get('/admin/plugins/pyod').set('authorization', `bearer ${ADMIN_TOKEN}`).expect(200);
      await demo.http().get('/admin/plugins/pyod').set(AUTH).expect(200);
    },
  },
  {
    name: 'an admin token with whitespace or characters a header cannot carry',
    area: 'admin options',
    outcome:
      '`PluginAdminModule.forRoot` throws `PLUGIN_OPTIONS_INVALID` saying why, so the host does not start with routes no one can use',
    async run() {
      for (const token of [
        `${ADMIN_TOKEN} `,
        ` ${ADMIN_TOKEN}`,
        'two words for a token secret',
        `${ADMIN_TOKEN}\n`,
        'tab\tseparated-admin-token',
        'pässwörter-sind-lang-genug',
      ]) {
        let thrown: unknown;
        try {
          PluginAdminModule.forRoot({ token });
        } catch (error) {
          thrown = error;
        }
        expect([token, thrown]).toEqual([
          token,
          expect.objectContaining({ code: 'PLUGIN_OPTIONS_INVALID', message: expect.stringMatching(/token must be/) }),
        ]);
      }
      expect(() => PluginAdminModule.forRoot({ token: ADMIN_TOKEN })).not.toThrow();
    },
  },
  {
    name: 'admin routes for a plugin named after an Object.prototype member',
    area: 'admin /plugins/:name',
    outcome: '404 `PLUGIN_NOT_FOUND` for `GET`, `POST enable`/`disable`/`reload` and `PATCH config` alike',
    async run({ demo, library }) {
      for (const [host, name] of [demo, library].flatMap((h) =>
        ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'].map((n) => [h, n] as const),
      )) {
        const answers = [
          await host.http().get(`/admin/plugins/${name}`).set(AUTH),
          ...(await Promise.all(
            ['enable', 'disable', 'reload'].map((operation) =>
              host.http().post(`/admin/plugins/${name}/${operation}`).set(AUTH),
            ),
          )),
          await host.http().patch(`/admin/plugins/${name}/config`).set(AUTH).send({ contamination: 0.2 }),
        ];
        expect([name, answers.map((answer) => `${answer.status} ${answer.body.code}`)]).toEqual([
          name,
          Array(5).fill('404 PLUGIN_NOT_FOUND'),
        ]);
      }
    },
  },
];
