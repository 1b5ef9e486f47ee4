// The HTML pages. Each renderer is a pure function from data to a complete HTML5 document that
// escapes every value it shows and needs no JavaScript.

export { buildHomeData, renderHome, HOME_REFRESH_SECONDS, type HomeData } from './home.js';
export { renderQueueList, renderQueue, type QueueListData, type QueueData } from './queues.js';
export { renderMessage, PENDING_REFRESH_SECONDS } from './message.js';
export { renderError, type ErrorData } from './error.js';
export { escapeHtml } from './escape.js';
