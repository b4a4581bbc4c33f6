"""The Streamlit app's pieces (UI only, over the TensorFlow-free core `digits`).

`streamlit_app.py` is the entry point; here: `image_path` (the `digits.image` calls the app
makes), `reading` (pixels → digits → one batched model call, uploads cached by content),
`pad` (the drawing pad component), `views` (how a reading is shown), `tabs` (Draw and Upload),
`compare` (the Compare tab) and `test_set` (the MNIST test images, never downloaded here).
"""
