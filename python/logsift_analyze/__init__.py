"""Thin Dask and Ray drivers of `logsift analyze`: one cluster task per chunk, partials merged in a fixed tree.

Every algorithm stays in the engine: a task runs `node bin/logsift.js analyze-chunk` (a chunk task on stdin, its
partial result on stdout) and a merge runs `node bin/logsift.js analyze-merge` on two partials. The merge tree pairs
items 2i and 2i+1 level by level, exactly as the local executor does, so every executor gives the same result.
"""
