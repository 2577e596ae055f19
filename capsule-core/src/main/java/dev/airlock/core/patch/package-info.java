/**
 * Strict unified diffs (ARCHITECTURE §3.2 {@code change.format = "unified-diff"}, §7 step 2): a parser that accepts what
 * {@code git diff} and {@code diff -u} produce for plain text files and refuses everything the manifest cannot describe
 * (binary, modes other than 100644, symlinks, renames, copies); an applier with no fuzz, no offset search and no
 * whitespace leniency; and a writer whose output round-trips through both.
 */
package dev.airlock.core.patch;
