/**
 * `npm run stand-ins`: both stand-ins as their own process, for trying the service against them by hand or running a
 * benchmark against a separate process. The Asana stand-in is seeded with the demo scene and accepts loopback
 * webhook targets; ports from ASANA_STAND_IN_PORT (4010) and ATTIO_STAND_IN_PORT (4020).
 */
import { loadConfig, loadDotEnv } from '../common/config';
import { startDemoStandIns } from './demo';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const standIns = await startDemoStandIns({
    asanaPort: config.env.ASANA_STAND_IN_PORT,
    attioPort: config.env.ATTIO_STAND_IN_PORT,
  });
  console.log(
    `Asana stand-in  ${standIns.asana.url}  (control ${standIns.asana.controlUrl})  token ${standIns.asana.token}`,
  );
  console.log(
    `Attio stand-in  ${standIns.attio.url}  (control ${standIns.attio.controlUrl})  token ${standIns.attio.token}`,
  );
  console.log(`Sales Tasks project ${standIns.scene.salesProjectGid} in workspace ${standIns.scene.workspaceGid}`);
  const stop = () => void standIns.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`the stand-ins could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
