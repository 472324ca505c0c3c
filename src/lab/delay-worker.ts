// The relay process of `lvsplay lab up --delay`, run inside the lab's controller namespace with
// the group that the namespace's redirect rules let through (its own connections to the hosts
// are not sent back to it). Prints "ready" once every route listens; runs until killed.
//   node delay-worker.js '{"oneWayMs":10,"routes":[{"listenPort":41000,"host":"10.0.7.11","port":22}]}'
import { startRelay, type RelayOptions, type RelayRoute } from './delay-relay.js';

export interface DelayWorkerConfig extends RelayOptions {
  routes: RelayRoute[];
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as DelayWorkerConfig;
startRelay(cfg.routes, cfg).then(
  () => process.stdout.write('ready\n'),
  (e: Error) => {
    process.stderr.write(`lvsplay-delay: ${e.message}\n`);
    process.exit(1);
  },
);
