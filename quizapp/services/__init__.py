"""Operations that change data; each owns its transaction."""
