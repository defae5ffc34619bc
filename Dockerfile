FROM python:3.12-slim
COPY requirements/runtime.txt /tmp/runtime.txt
RUN pip install --no-cache-dir --disable-pip-version-check -r /tmp/runtime.txt && rm /tmp/runtime.txt
COPY tmsaction /opt/tmsaction/tmsaction
COPY entrypoint.py /opt/tmsaction/entrypoint.py
RUN python -m compileall -q /opt/tmsaction
ENV PYTHONPATH=/opt/tmsaction PYTHONUNBUFFERED=1
ENTRYPOINT ["python", "/opt/tmsaction/entrypoint.py"]
