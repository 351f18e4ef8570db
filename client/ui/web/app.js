/* app.js: the hearth web app (its screens come in the next change). */
"use strict";
