/** Small file-system helpers the services share. */
package dev.airlock.core.io;
