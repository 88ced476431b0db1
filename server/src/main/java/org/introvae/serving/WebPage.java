package org.introvae.serving;

import java.util.List;

/** The server's page for people: samples, interpolations and (translation models) a translation grid of each model, and reconstructions of an uploaded image. */
final class WebPage {
  private WebPage() {}

  static String html(List<String> models) {
    StringBuilder options = new StringBuilder();
    for (String m : models) {
      String safe = m.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
      options.append("<option value=\"").append(safe).append("\">").append(safe).append("</option>");
    }
    return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>IntroVAE models</title>
        <style>body{font-family:sans-serif;background:#222;color:#ddd;margin:2em}img{image-rendering:pixelated;
        border:1px solid #555;margin:.5em 0}section{margin-bottom:2em}button,select,input{font-size:1em}</style></head>
        <body><h1>IntroVAE models</h1>
        <p>Model <select id="model">%s</select> seed <input id="seed" type="number" value="0" style="width:6em">
        <button onclick="refresh()">show</button></p>
        <section><h2>Samples</h2><img id="samples" alt="samples"></section>
        <section><h2>Interpolation</h2><img id="interp" alt="interpolation"></section>
        <section id="translation"><h2>Translation</h2><p>translation models: rows take the class, columns the
        content of samples</p><img id="trans" alt="translation grid"
        onerror="this.parentElement.style.display='none'" onload="this.parentElement.style.display=''"></section>
        <section><h2>Reconstruction of your image</h2>
        <input type="file" id="file" accept="image/*" onchange="upload()"><br>
        <img id="recon" alt="input | reconstruction"></section>
        <script>
        function base(){return '/v1/models/'+encodeURIComponent(document.getElementById('model').value);}
        function refresh(){const s=document.getElementById('seed').value;
          document.getElementById('samples').src=base()+'/samples.png?count=16&seed='+s;
          document.getElementById('interp').src=base()+'/interpolation.png?steps=10&seed='+s;
          document.getElementById('trans').src=base()+'/translation.png?count=6&seed='+s;}
        async function upload(){const f=document.getElementById('file').files[0]; if(!f)return;
          const r=await fetch(base()+'/reconstruction.png',{method:'POST',body:f});
          if(!r.ok){alert((await r.json()).error);return;}
          document.getElementById('recon').src=URL.createObjectURL(await r.blob());}
        if(document.getElementById('model').value)refresh();
        </script></body></html>
        """.formatted(options.length() == 0 ? "<option value=\"\">(no models)</option>" : options.toString());
  }
}
