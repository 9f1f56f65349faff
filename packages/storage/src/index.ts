// Public surface of this package. Nothing is exported yet; see the package README.
export {};
