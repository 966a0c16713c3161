// Anchor translation unit of sportello_channels (the module's other sources
// are picked up by a glob).
