import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Commands, ConfigKeys, CONFIG_SECTION, Views } from '../../../src/extension/constants';

const pkg = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'),
) as {
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    menus: Record<string, { command: string }[]>;
  };
};

describe('package.json contributions', () => {
  const c = pkg.contributes;

  it('declares exactly the commands the code registers, in category Linetap', () => {
    assert.deepEqual(c.commands.map((x) => x.command).sort(), Object.values(Commands).sort());
    for (const cmd of c.commands) assert.equal(cmd.category, 'Linetap', cmd.command);
  });

  it('declares every setting the code reads, each with a default', () => {
    const declared = Object.keys(c.configuration.properties).sort();
    assert.deepEqual(
      declared,
      Object.values(ConfigKeys)
        .map((k) => `${CONFIG_SECTION}.${k}`)
        .sort(),
    );
    for (const [key, prop] of Object.entries(c.configuration.properties))
      assert.ok('default' in prop, `${key} has no default`);
  });

  it('declares the Proxies view in its own container with an icon that exists', () => {
    const container = c.viewsContainers.activitybar.find((v) => v.id === Views.container);
    assert.ok(container, 'view container');
    assert.ok(
      fs.existsSync(path.join(__dirname, '..', '..', '..', container.icon)),
      container.icon,
    );
    assert.deepEqual(
      c.views[Views.container].map((v) => v.id),
      [Views.proxies],
    );
  });

  it('menus name only declared commands', () => {
    const ids = new Set(c.commands.map((x) => x.command));
    for (const [menu, items] of Object.entries(c.menus))
      for (const item of items) assert.ok(ids.has(item.command), `${menu}: ${item.command}`);
  });
});
