export { createLiveWsClient, type LiveWsClientOptions } from "./create-live-ws-client.ts";
export {
  deadSocketNoticedWithinMs,
  type LiveSocketSettings,
  liveSocketSettings,
} from "./live-socket-settings.ts";
export {
  type PromptClosingTimings,
  promptClosingWebSocket,
  type WebSocketClass,
} from "./prompt-closing-websocket.ts";
