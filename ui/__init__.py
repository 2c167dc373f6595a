"""User interfaces: the command line and the Gradio app, thin shells over the assistant."""
