"""Reference data shipped with the code (administrative units, Penn World Table 10.01); each folder keeps its README with source and licence."""
