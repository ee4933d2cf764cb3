#!/usr/bin/env node
// Committed rather than built, so that package managers link `mig` in a workspace before the
// first build; the CLI itself is dist/bin.js.
import '../dist/bin.js'
