/** Airlock capsule-core: formats, DSSE, keys, policy model and the one verification engine. */
package dev.airlock.core;
