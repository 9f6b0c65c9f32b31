import { App } from "./app";
import { caseScreen, casesScreen } from "./screens/cases";
import { environmentScreen, newCaptureScreen } from "./screens/capture";
import { liveScreen, sealingScreen } from "./screens/live";
import { settingsScreen } from "./screens/settings";
import { setupScreen } from "./screens/setup";
import { superviseScreen } from "./screens/supervise";
import { batchScreen } from "./screens/batch";
import { verifyScreen } from "./screens/verify";
import { watchScreen } from "./screens/watch";

const root = document.getElementById("app");
if (root) {
  const app = new App(root);
  app.register("cases", casesScreen);
  app.register("case", caseScreen);
  app.register("new-capture", newCaptureScreen);
  app.register("environment", environmentScreen);
  app.register("live", liveScreen);
  app.register("sealing", sealingScreen);
  app.register("verify", verifyScreen);
  app.register("supervise", superviseScreen);
  app.register("batch", batchScreen);
  app.register("watch", watchScreen);
  app.register("settings", settingsScreen);
  app.register("setup", setupScreen);
  void app.start().catch((e) => app.error(e));
}
