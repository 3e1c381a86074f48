// The translation unit that owns the precompiled CAF header (see ordo_targets.cmake).
